import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { pathProblem } from '../runtime/path-check.ts';
import { allKeys, type Config, type KeyName } from './keys/index.ts';
import { parseIni, type IniSection } from './ini.ts';
import { defaultsOf, describeType, parseValue, type KeySpec } from './schema.ts';
import { didYouMean } from './suggest.ts';

export const DEFAULT_CONFIG_PATH = '/etc/asterisk/voicebot.conf';
/** A voicebot.conf is a few KB; anything past this is the wrong file (or /dev/zero). */
const MAX_CONFIG_BYTES = 1024 * 1024;
const GENERAL = 'general';

/** Where a value came from, for `doctor` and error messages. */
export type ValueSource = 'default' | `${string}:${number}` | `env ${string}`;

export interface LoadedConfig {
  /** The file that was read, or would have been when it does not exist. */
  file: string;
  exists: boolean;
  profiles: readonly string[];
  /** The settings for one profile (undefined or '' = [general] only). */
  resolve(profile?: string): Config;
  /** Where each key's effective value for a profile came from. */
  sources(profile?: string): Record<KeyName, ValueSource>;
}

/**
 * Which file to read: `--config` wins, then VOICEBOT_CONFIG, then /etc/asterisk/voicebot.conf.
 * `explicit` files must exist; the default may be absent (defaults apply).
 */
export function configPath(option: string | undefined, env: NodeJS.ProcessEnv = process.env): { path: string; explicit: boolean } {
  if (option !== undefined && option !== '') return { path: resolve(option), explicit: true };
  const fromEnv = env['VOICEBOT_CONFIG'];
  if (fromEnv !== undefined && fromEnv !== '') return { path: resolve(fromEnv), explicit: true };
  return { path: DEFAULT_CONFIG_PATH, explicit: false };
}

/** Read, parse and validate voicebot.conf plus env overrides. Throws ConfigError naming the fix. */
export function loadConfig(options: { path?: string; env?: NodeJS.ProcessEnv } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const { path, explicit } = configPath(options.path, env);
  const exists = existsSync(path);
  if (!exists && explicit) {
    throw new ConfigError('CONFIG_MISSING', { file: path }, 'the config file does not exist',
      `create it (a commented sample is etc-asterisk/voicebot.conf) or point --config / VOICEBOT_CONFIG at an existing file`);
  }
  let sections: IniSection[] = [];
  if (exists) {
    const unfit = pathProblem(path, { kind: 'file', maxBytes: MAX_CONFIG_BYTES });
    if (unfit !== undefined) {
      throw new ConfigError('CONFIG_UNREADABLE', { file: path }, unfit, 'point --config / VOICEBOT_CONFIG at the voicebot.conf file (a regular text file)');
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new ConfigError('CONFIG_UNREADABLE', { file: path }, `cannot read the file (${(error as Error).message})`,
        'make it readable by the user Asterisk runs as (usually asterisk)');
    }
    sections = parseIni(text, path);
  }
  return buildConfig(path, exists, sections, env);
}

/** Validate parsed sections; exported for tests that feed text without files. */
export function buildConfig(file: string, exists: boolean, sections: IniSection[], env: NodeJS.ProcessEnv): LoadedConfig {
  const baseDir = dirname(file);
  const general = new Map<KeyName, { value: unknown; source: ValueSource }>();
  const profiles = new Map<string, Map<KeyName, { value: unknown; source: ValueSource }>>();

  for (const section of sections) {
    const isGeneral = section.name === GENERAL;
    if (!isGeneral && !/^[A-Za-z0-9_-]{1,64}$/.test(section.name)) {
      throw new ConfigError('CONFIG_PROFILE_NAME', { file, line: section.line }, `[${section.name}] is not a valid profile name`,
        'use letters, digits, _ and - only (it is passed as EAGI(voicebot,<profile>))');
    }
    const target = new Map<KeyName, { value: unknown; source: ValueSource }>();
    for (const entry of section.entries) {
      const spec = lookupKey(entry.key, { file, line: entry.line });
      if (!isGeneral && spec.scope === 'general') {
        throw new ConfigError('CONFIG_SCOPE', { file, line: entry.line, key: entry.key },
          `'${entry.key}' applies to the whole box, not one profile`, `move it to [general]`);
      }
      if (target.has(entry.key as KeyName)) {
        throw new ConfigError('CONFIG_DUPLICATE_KEY', { file, line: entry.line, key: entry.key },
          `'${entry.key}' is set twice in [${section.name}]`, 'keep one of the two lines');
      }
      const parsed = parseValue(spec, entry.value);
      if ('problem' in parsed) {
        throw new ConfigError('CONFIG_VALUE', { file, line: entry.line, key: entry.key }, parsed.problem,
          `set ${entry.key} to ${describeType(spec)} (default: ${formatDefault(spec)})`);
      }
      target.set(entry.key as KeyName, { value: absolutise(spec, parsed.value, baseDir), source: `${file}:${entry.line}` });
    }
    if (isGeneral) for (const [key, value] of target) general.set(key, value);
    else profiles.set(section.name, target);
  }

  const envValues = readEnvOverrides(env);

  function layered(profile: string | undefined): Map<KeyName, { value: unknown; source: ValueSource }> {
    const out = new Map<KeyName, { value: unknown; source: ValueSource }>();
    for (const [key, spec] of Object.entries(allKeys)) out.set(key as KeyName, { value: spec.default, source: 'default' });
    for (const [key, value] of general) out.set(key, value);
    if (profile !== undefined && profile !== '' && profile !== GENERAL) {
      const section = profiles.get(profile);
      if (section === undefined) {
        const known = [...profiles.keys()];
        const guess = didYouMean(profile, known);
        throw new ConfigError('CONFIG_UNKNOWN_PROFILE', { file }, `there is no profile [${profile}]`,
          guess !== undefined ? `did you mean EAGI(voicebot,${guess})?`
            : known.length > 0 ? `use one of: ${known.join(', ')}, or add a [${profile}] section`
              : `add a [${profile}] section, or call EAGI(voicebot) without a profile`);
      }
      for (const [key, value] of section) out.set(key, value);
    }
    for (const [key, value] of envValues) out.set(key, value);
    return out;
  }

  return {
    file,
    exists,
    profiles: [...profiles.keys()],
    resolve(profile) {
      return Object.fromEntries([...layered(profile)].map(([key, { value }]) => [key, value])) as Config;
    },
    sources(profile) {
      return Object.fromEntries([...layered(profile)].map(([key, { source }]) => [key, source])) as Record<KeyName, ValueSource>;
    },
  };
}

function lookupKey(key: string, where: { file: string; line?: number }): KeySpec {
  const spec = (allKeys as Record<string, KeySpec>)[key];
  if (spec !== undefined) return spec;
  const guess = didYouMean(key, Object.keys(allKeys));
  throw new ConfigError('CONFIG_UNKNOWN_KEY', { ...where, key }, `'${key}' is not a voicebot setting`,
    guess !== undefined ? `did you mean '${guess}'?` : 'remove the line; `voicebot doctor` lists the settings in use');
}

/** `VOICEBOT_<KEY>` sets one key for every profile; OLLAMA_HOST is honoured as Ollama's own tools do. */
function readEnvOverrides(env: NodeJS.ProcessEnv): Map<KeyName, { value: unknown; source: ValueSource }> {
  const out = new Map<KeyName, { value: unknown; source: ValueSource }>();
  const candidates: [string, KeyName][] = [['OLLAMA_HOST', 'ollama_host']];
  for (const key of Object.keys(allKeys)) candidates.push([`VOICEBOT_${key.toUpperCase()}`, key as KeyName]);
  for (const [name, key] of candidates) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const spec = allKeys[key] as KeySpec;
    const parsed = parseValue(spec, raw);
    if ('problem' in parsed) {
      throw new ConfigError('CONFIG_ENV_VALUE', { file: `environment variable ${name}` , key }, parsed.problem,
        `set ${name} to ${describeType(spec)} or unset it`);
    }
    out.set(key, { value: absolutise(spec, parsed.value, process.cwd()), source: `env ${name}` });
  }
  return out;
}

function absolutise(spec: KeySpec, value: unknown, baseDir: string): unknown {
  if (spec.type !== 'path' || typeof value !== 'string' || value === '' || isAbsolute(value)) return value;
  return resolve(baseDir, value);
}

function formatDefault(spec: KeySpec): string {
  if (spec.type === 'bool') return spec.default ? 'yes' : 'no';
  if (spec.type === 'list') return spec.default.join(', ') || '(empty)';
  return String(spec.default);
}

/** The defaults alone, for code paths that run without any file (tests, `simulate --demo`). */
export function defaultConfig(): Config {
  return defaultsOf(allKeys) as Config;
}
