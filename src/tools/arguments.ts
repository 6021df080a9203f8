import type { HttpToolSpec, ToolParam, ToolParamType } from './types.ts';

/** No string argument is longer than this, whatever the spec says. */
export const MAX_STRING_ARGUMENT_CHARS = 500;

export type ArgumentValue = string | number | boolean;

/** One parameter as Ollama's tool JSON describes it (a JSON schema subset). */
export interface ToolPropertyDefinition {
  type: ToolParamType;
  description: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

/** Ollama's tool JSON; structurally assignable to `Tool` from the ollama package. */
export interface ToolDefinition {
  type: 'function';
  function: {
    name: string;
    description: string;
    parameters: { type: 'object'; required: string[]; properties: Record<string, ToolPropertyDefinition> };
  };
}

type Checked = { value: ArgumentValue } | { problem: string };

/** The value as quoted in a problem: short, so a long argument does not flood the model. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return `'${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`;
}

function describeRange(param: ToolParam, unit: string): string {
  const { minimum: min, maximum: max } = param;
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}${unit}`;
  if (min !== undefined) return `at least ${min}${unit}`;
  return `at most ${max}${unit}`;
}

function checkString(param: ToolParam, raw: unknown): Checked {
  if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
    return { problem: `${param.name} must be text, not ${quote(raw)}` };
  }
  const value = String(raw).trim();
  const maxLength = Math.min(param.maxLength ?? MAX_STRING_ARGUMENT_CHARS, MAX_STRING_ARGUMENT_CHARS);
  const minLength = param.minLength ?? 0;
  if (value.length < minLength || value.length > maxLength) {
    const span = minLength > 0 ? `${minLength} to ${maxLength}` : `at most ${maxLength}`;
    return { problem: `${param.name} must be ${span} characters long` };
  }
  if (param.values !== undefined && param.values.length > 0) {
    const listed = param.values.find((v) => v.toLowerCase() === value.toLowerCase());
    if (listed === undefined) return { problem: `${param.name} must be one of: ${param.values.join(', ')}` };
    return { value: listed };
  }
  if (param.pattern !== undefined) {
    let pattern: RegExp;
    try {
      pattern = compileParamPattern(param.pattern);
    } catch {
      return { problem: `${param.name} cannot be checked: the tool's pattern is invalid` };
    }
    if (!pattern.test(value)) return { problem: `${param.name}: ${quote(value)} does not match the expected format` };
  }
  return { value };
}

/** How `param.NAME.pattern` is applied: the whole value, Unicode-aware (`\p{L}` works). The config check compiles it the same way. */
export function compileParamPattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

function checkNumber(param: ToolParam, raw: unknown): Checked {
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  const value = typeof raw === 'number' ? raw : text !== undefined && text !== '' ? Number(text) : NaN;
  const whole = param.type === 'integer';
  if (!Number.isFinite(value)) return { problem: `${param.name} must be ${whole ? 'a whole number' : 'a number'}, not ${quote(raw)}` };
  if (whole && !Number.isSafeInteger(value)) return { problem: `${param.name} must be a whole number, not ${quote(raw)}` };
  if ((param.minimum !== undefined && value < param.minimum) || (param.maximum !== undefined && value > param.maximum)) {
    return { problem: `${param.name} must be ${describeRange(param, '')}` };
  }
  return { value };
}

const TRUE_WORDS = new Set(['true', 'yes']);
const FALSE_WORDS = new Set(['false', 'no']);

function checkBoolean(param: ToolParam, raw: unknown): Checked {
  if (typeof raw === 'boolean') return { value: raw };
  const word = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (TRUE_WORDS.has(word)) return { value: true };
  if (FALSE_WORDS.has(word)) return { value: false };
  return { problem: `${param.name} must be true or false, not ${quote(raw)}` };
}

function checkValue(param: ToolParam, raw: unknown): Checked {
  switch (param.type) {
    case 'string': return checkString(param, raw);
    case 'integer':
    case 'number': return checkNumber(param, raw);
    case 'boolean': return checkBoolean(param, raw);
  }
}

/** The arguments as an object: small models often send the object as a JSON string, or nothing. */
function argumentObject(args: unknown): Record<string, unknown> | undefined {
  let value = args;
  if (typeof value === 'string') {
    if (value.trim() === '') return {};
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

/**
 * Checks a model's tool arguments against the spec before any request is made. The problem is one
 * short sentence naming the argument, fit to hand back to the model.
 */
export function validateArguments(spec: HttpToolSpec, args: unknown): { values: Record<string, ArgumentValue> } | { problem: string } {
  const accepted = spec.params.map((p) => p.name);
  const object = argumentObject(args);
  if (object === undefined) {
    return { problem: `the arguments must be a JSON object with ${accepted.length > 0 ? accepted.join(', ') : 'no fields'}` };
  }
  const unknown = Object.keys(object).filter((name) => !accepted.includes(name));
  if (unknown.length > 0) {
    const takes = accepted.length > 0 ? `it accepts ${accepted.join(', ')}` : 'it takes no arguments';
    return { problem: `${spec.name} has no argument ${unknown.map((n) => `'${n}'`).join(', ')} (${takes})` };
  }
  const values: Record<string, ArgumentValue> = {};
  const missing: string[] = [];
  for (const param of spec.params) {
    const raw = object[param.name];
    // null and blank text count as absent: models fill optional fields that way.
    const absent = raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
    if (absent) {
      if (param.required) missing.push(param.name);
      continue;
    }
    const checked = checkValue(param, raw);
    if ('problem' in checked) return checked;
    values[param.name] = checked.value;
  }
  if (missing.length > 0) return { problem: `missing required argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` };
  return { values };
}

/** The tool as the model sees it, in Ollama's tool JSON shape. */
export function toolDefinition(spec: HttpToolSpec): ToolDefinition {
  const properties: Record<string, ToolPropertyDefinition> = {};
  for (const param of spec.params) {
    const property: ToolPropertyDefinition = { type: param.type, description: param.description };
    if (param.type === 'string') {
      if (param.values !== undefined && param.values.length > 0) property.enum = [...param.values];
      if (param.minLength !== undefined) property.minLength = param.minLength;
      property.maxLength = Math.min(param.maxLength ?? MAX_STRING_ARGUMENT_CHARS, MAX_STRING_ARGUMENT_CHARS);
      if (param.pattern !== undefined) property.pattern = param.pattern;
    } else if (param.type !== 'boolean') {
      if (param.minimum !== undefined) property.minimum = param.minimum;
      if (param.maximum !== undefined) property.maximum = param.maximum;
    }
    properties[param.name] = property;
  }
  return {
    type: 'function',
    function: {
      name: spec.name,
      description: spec.description,
      parameters: { type: 'object', required: spec.params.filter((p) => p.required).map((p) => p.name), properties },
    },
  };
}
