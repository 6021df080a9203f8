import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { IniSection } from '../config/ini.ts';
import { didYouMean } from '../config/suggest.ts';
import { compileParamPattern } from './arguments.ts';
import { checkUrlTemplate } from './http-tool.ts';
import type { HttpMethod, HttpToolSpec, ToolHeader, ToolParam, ToolParamType } from './types.ts';

/** `[tool:NAME]` declares an HTTP tool; profiles enable it with `tools = NAME`. */
export const TOOL_SECTION_PREFIX = 'tool:';

const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const RESERVED = new Set(['end_call', 'transfer_call']);
const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const PARAM_TYPES: readonly ToolParamType[] = ['string', 'integer', 'number', 'boolean'];
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const PLAIN_KEYS = ['description', 'method', 'url', 'timeout_ms', 'wait_text', 'wait_after_ms', 'max_response_bytes'];
const PARAM_FIELDS = ['description', 'required', 'values', 'min_length', 'max_length', 'pattern', 'minimum', 'maximum'];

type Where = { file: string; line: number; key: string };
type Raw = { value: string; line: number };
type ParamSlot = { type?: Raw; fields: Map<string, Raw> };

/** Parse one `[tool:NAME]` section. Problems are reported one by one; the tool is dropped when any is found. */
export function parseToolSection(section: IniSection, file: string, report: (error: ConfigError) => void): HttpToolSpec | undefined {
  const name = section.name.slice(TOOL_SECTION_PREFIX.length).trim();
  let problems = 0;
  const fail = (where: Where | { file: string; line: number }, problem: string, fix: string): void => {
    problems += 1;
    report(new ConfigError('CONFIG_TOOL', where, problem, fix));
  };
  if (!TOOL_NAME.test(name) || RESERVED.has(name)) {
    fail({ file, line: section.line }, `[${section.name}] is not a valid tool name`, 'use lower-case letters, digits and _ (starting with a letter), not end_call or transfer_call');
    return undefined;
  }
  const plain = new Map<string, Raw>();
  const params = new Map<string, ParamSlot>();
  const headers: ToolHeader[] = [];
  const seen = new Set<string>();
  for (const entry of section.entries) {
    const where = { file, line: entry.line, key: entry.key };
    if (seen.has(entry.key)) { fail(where, `'${entry.key}' is set twice in [${section.name}]`, 'keep one of the two lines'); continue; }
    seen.add(entry.key);
    const value = entry.value.trim();
    const param = /^param\.([a-z][a-z0-9_]{0,39})(?:\.([a-z_]+))?$/.exec(entry.key);
    const header = /^(header|header_file)\.(.+)$/.exec(entry.key);
    if (param !== null) {
      const slot: ParamSlot = params.get(param[1] ?? '') ?? { fields: new Map() };
      params.set(param[1] ?? '', slot);
      if (param[2] === undefined) slot.type = { value, line: entry.line };
      else if (PARAM_FIELDS.includes(param[2])) slot.fields.set(param[2], { value, line: entry.line });
      else fail(where, `'${param[2]}' is not a parameter field`, `use one of ${PARAM_FIELDS.join(', ')}`);
    } else if (header !== null) {
      const headerName = header[2] ?? '';
      if (!HEADER_NAME.test(headerName)) { fail(where, `'${headerName}' is not an HTTP header name`, 'write header.Name = value'); continue; }
      if (header[1] === 'header') headers.push({ name: headerName, value, secret: false });
      else {
        const secret = readSecret(value, file);
        if (typeof secret === 'string') headers.push({ name: headerName, value: secret, secret: true });
        else fail(where, secret.problem, 'point header_file.NAME at a file readable by the user Asterisk runs as, holding the header value on one line');
      }
    } else if (PLAIN_KEYS.includes(entry.key)) {
      plain.set(entry.key, { value, line: entry.line });
    } else {
      const guess = didYouMean(entry.key, PLAIN_KEYS);
      fail(where, `'${entry.key}' is not a tool setting`, guess !== undefined ? `did you mean '${guess}'?`
        : `use ${PLAIN_KEYS.join(', ')}, param.NAME[.field], header.NAME or header_file.NAME`);
    }
  }
  const at = (key: string): Where => ({ file, line: plain.get(key)?.line ?? section.line, key });
  const description = plain.get('description')?.value ?? '';
  if (description === '') fail(at('description'), `tool '${name}' has no description`, 'say in one sentence what it does and when to use it: the model decides from it');
  const method = (plain.get('method')?.value ?? 'GET').toUpperCase() as HttpMethod;
  if (!METHODS.includes(method)) fail(at('method'), `'${method}' is not a supported method`, `use one of ${METHODS.join(', ')}`);
  const parsedParams: ToolParam[] = [];
  for (const [paramName, slot] of params) {
    const parsed = parseParam(paramName, slot, file, section.line, fail);
    if (parsed !== undefined) parsedParams.push(parsed);
  }
  const url = plain.get('url')?.value ?? '';
  const urlProblem = url === '' ? 'no url' : checkUrlTemplate(url, parsedParams.map((p) => p.name));
  if (urlProblem !== undefined) fail(at('url'), `tool '${name}': ${urlProblem}`, 'write an absolute http(s) URL with {param} placeholders only in the path or query, e.g. http://127.0.0.1:8080/orders/{order_id}');
  const number = (key: string, fallback: number, min: number, max: number): number => {
    const raw = plain.get(key);
    if (raw === undefined) return fallback;
    const value = Number(raw.value);
    if (!Number.isInteger(value) || value < min || value > max) { fail(at(key), `'${raw.value}' is not a whole number from ${min} to ${max}`, `set ${key} to a whole number from ${min} to ${max}`); return fallback; }
    return value;
  };
  const spec: HttpToolSpec = {
    name, description, method, urlTemplate: url, headers, params: parsedParams,
    timeoutMs: number('timeout_ms', 3000, 100, 30000),
    waitText: plain.get('wait_text')?.value ?? 'One moment while I check that.',
    waitAfterMs: number('wait_after_ms', 1000, 0, 30000),
    maxResponseBytes: number('max_response_bytes', 2000, 100, 100000),
  };
  return problems === 0 ? spec : undefined;
}

function parseParam(name: string, slot: ParamSlot, file: string, sectionLine: number,
  fail: (where: Where, problem: string, fix: string) => void): ToolParam | undefined {
  const type = slot.type?.value.toLowerCase() as ToolParamType | undefined;
  if (type === undefined || !PARAM_TYPES.includes(type)) {
    fail({ file, line: slot.type?.line ?? sectionLine, key: `param.${name}` }, `parameter '${name}' has no valid type`, `write param.${name} = ${PARAM_TYPES.join(' | ')}`);
    return undefined;
  }
  const field = (key: string) => slot.fields.get(key);
  const num = (key: string): number | undefined => {
    const raw = field(key);
    if (raw === undefined) return undefined;
    const value = Number(raw.value);
    if (raw.value === '' || !Number.isFinite(value)) { fail({ file, line: raw.line, key: `param.${name}.${key}` }, `'${raw.value}' is not a number`, 'write a number'); return undefined; }
    return value;
  };
  const pattern = field('pattern')?.value;
  if (pattern !== undefined) {
    try { compileParamPattern(pattern); } catch (error) {
      fail({ file, line: field('pattern')?.line ?? sectionLine, key: `param.${name}.pattern` }, `not a valid regular expression (${(error as Error).message})`, 'write a JavaScript regular expression without slashes (a ; must be written \\;)');
    }
  }
  const requiredRaw = field('required');
  const required = requiredRaw === undefined ? true : YES.includes(requiredRaw.value.toLowerCase()) ? true : NO.includes(requiredRaw.value.toLowerCase()) ? false : undefined;
  if (required === undefined) fail({ file, line: requiredRaw?.line ?? sectionLine, key: `param.${name}.required` }, `'${requiredRaw?.value ?? ''}' is not yes or no`, 'write yes or no');
  const values = field('values')?.value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  const param: ToolParam = {
    name, type,
    description: field('description')?.value ?? '',
    required: required ?? true,
    values: values !== undefined && values.length > 0 ? values : undefined,
    minLength: num('min_length'), maxLength: num('max_length'), pattern,
    minimum: num('minimum'), maximum: num('maximum'),
  };
  const misfit = fieldsMisfit(param, [...slot.fields.keys()]);
  if (misfit !== undefined) fail({ file, line: slot.type?.line ?? sectionLine, key: `param.${name}` }, misfit, 'remove the field, or change the parameter type');
  return param;
}

const YES = ['yes', 'true', 'on', '1', 'y'];
const NO = ['no', 'false', 'off', '0', 'n'];
const STRING_FIELDS = ['values', 'min_length', 'max_length', 'pattern'];
const NUMBER_FIELDS = ['minimum', 'maximum'];

/** Fields that do not fit the parameter's type, or limits no value can meet. */
function fieldsMisfit(param: ToolParam, fields: readonly string[]): string | undefined {
  const wrong = fields.filter((f) => (STRING_FIELDS.includes(f) && param.type !== 'string') || (NUMBER_FIELDS.includes(f) && param.type !== 'integer' && param.type !== 'number'));
  if (wrong.length > 0) return `${wrong.join(', ')} do not apply to a ${param.type} parameter`;
  for (const length of [param.minLength, param.maxLength]) {
    if (length !== undefined && (!Number.isInteger(length) || length < 0)) return 'min_length and max_length must be whole numbers of 0 or more';
  }
  if (param.minimum !== undefined && param.maximum !== undefined && param.minimum > param.maximum) return `minimum ${param.minimum} is above maximum ${param.maximum}: no value can pass`;
  if (param.minLength !== undefined && param.maxLength !== undefined && param.minLength > param.maxLength) return `min_length ${param.minLength} is above max_length ${param.maxLength}`;
  return undefined;
}

function readSecret(path: string, file: string): string | { problem: string } {
  if (path === '') return { problem: 'no file named' };
  const absolute = isAbsolute(path) ? path : resolve(file, '..', path);
  try {
    const text = readFileSync(absolute, 'utf8').trim();
    if (text === '' || /[\r\n]/.test(text)) return { problem: `${absolute} must hold the value on one line` };
    return text;
  } catch (error) {
    return { problem: `cannot read ${absolute} (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}
