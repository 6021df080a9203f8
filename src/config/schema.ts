/**
 * The typed schema every voicebot.conf key is declared in. Each subsystem owns one file under
 * `keys/`; `keys/index.ts` merges them. Key names carry their unit (`_ms`, `_seconds`, `_hz`).
 *
 * Scope: `general` keys may only appear in `[general]`; `profile` keys may appear in `[general]`
 * (the default for every profile) or in a profile section (that profile only).
 */
interface KeySpecBase {
  doc: string;
  scope: 'general' | 'profile';
}

export type KeySpec =
  | (KeySpecBase & { type: 'string' | 'path'; default: string; allowEmpty?: boolean; pattern?: { test: RegExp; describe: string } })
  | (KeySpecBase & { type: 'int' | 'number'; default: number; min?: number; max?: number })
  | (KeySpecBase & { type: 'bool'; default: boolean })
  | (KeySpecBase & { type: 'enum'; default: string; values: readonly string[] })
  | (KeySpecBase & { type: 'list'; default: readonly string[] });

export type KeyTable = Record<string, KeySpec>;

type ValueOf<S> = S extends { type: 'bool' } ? boolean
  : S extends { type: 'int' | 'number' } ? number
  : S extends { type: 'list' } ? readonly string[]
  : S extends { type: 'enum'; values: readonly (infer V)[] } ? V
  : string;

/** The parsed values of a key table, one typed property per key. */
export type ValuesOf<T extends KeyTable> = { -readonly [K in keyof T]: ValueOf<T[K]> };

/** Defaults of a table, as a typed object. */
export function defaultsOf<T extends KeyTable>(table: T): ValuesOf<T> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) out[key] = spec.default;
  return out as ValuesOf<T>;
}

/** A human description of what a key accepts, used in error fixes and `doctor`. */
export function describeType(spec: KeySpec): string {
  switch (spec.type) {
    case 'bool': return 'yes or no';
    case 'int': return `a whole number${rangeText(spec.min, spec.max)}`;
    case 'number': return `a number${rangeText(spec.min, spec.max)}`;
    case 'enum': return `one of ${spec.values.join(', ')}`;
    case 'list': return 'a comma-separated list';
    case 'path': return 'a file or folder path';
    case 'string': return spec.pattern?.describe ?? 'text';
  }
}

function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

const TRUE_WORDS = new Set(['yes', 'true', 'on', '1', 'y']);
const FALSE_WORDS = new Set(['no', 'false', 'off', '0', 'n']);

/**
 * Parse one raw value. Returns the value or a problem text; never throws, so callers can wrap the
 * problem with the file, line or env var it came from.
 */
export function parseValue(spec: KeySpec, raw: string): { value: unknown } | { problem: string } {
  const text = raw.trim();
  switch (spec.type) {
    case 'bool': {
      const lower = text.toLowerCase();
      if (TRUE_WORDS.has(lower)) return { value: true };
      if (FALSE_WORDS.has(lower)) return { value: false };
      return { problem: `'${raw}' is not yes/no` };
    }
    case 'int':
    case 'number': {
      const value = Number(text);
      if (text === '' || !Number.isFinite(value)) return { problem: `'${raw}' is not a number` };
      if (spec.type === 'int' && !Number.isInteger(value)) return { problem: `'${raw}' is not a whole number` };
      if (spec.min !== undefined && value < spec.min) return { problem: `${value} is below the minimum ${spec.min}` };
      if (spec.max !== undefined && value > spec.max) return { problem: `${value} is above the maximum ${spec.max}` };
      return { value };
    }
    case 'enum':
      if (!spec.values.includes(text)) return { problem: `'${raw}' is not one of ${spec.values.join(', ')}` };
      return { value: text };
    case 'list':
      return { value: text === '' ? [] : text.split(',').map((item) => item.trim()).filter((item) => item !== '') };
    case 'path':
    case 'string':
      if (text === '' && spec.allowEmpty !== true) return { problem: 'the value is empty' };
      if (text !== '' && spec.pattern !== undefined && !spec.pattern.test.test(text)) return { problem: `'${raw}' is not ${spec.pattern.describe}` };
      return { value: text };
  }
}
