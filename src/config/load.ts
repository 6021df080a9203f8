import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { pathProblem } from '../runtime/path-check.ts';
import { allKeys, type Config, type KeyName } from './keys/index.ts';
import { parseIni, type IniSection } from './ini.ts';
import { sampleConfigPath } from '../runtime/install-paths.ts';
import { defaultsOf, describeType, parseValue, type KeySpec } from './schema.ts';
import { didYouMean } from './suggest.ts';
import { parseToolSection, TOOL_SECTION_PREFIX } from '../tools/config.ts';
import type { HttpToolSpec } from '../tools/types.ts';

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
  /** The HTTP tools a profile's `tools` key enables, from the `[tool:NAME]` sections. */
  toolsFor(profile?: string): HttpToolSpec[];
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

/** Read, parse and validate voicebot.conf plus env overrides. Throws the first ConfigError, naming the fix. */
export function loadConfig(options: { path?: string; env?: NodeJS.ProcessEnv } = {}): LoadedConfig {
  const { loaded, problems } = checkConfig(options);
  const first = problems[0];
  if (first !== undefined || loaded === undefined) throw first ?? new Error('config not loaded');
  return loaded;
}

/**
 * Like loadConfig, but finds every error in one pass (doctor): each bad line or value is reported
 * and skipped (its default applies), so `loaded` is still usable when the file could be read.
 */
export function checkConfig(options: { path?: string; env?: NodeJS.ProcessEnv } = {}): { loaded: LoadedConfig | undefined; problems: ConfigError[] } {
  const env = options.env ?? process.env;
  const { path, explicit } = configPath(options.path, env);
  const exists = existsSync(path);
  if (!exists && explicit) {
    return { loaded: undefined, problems: [new ConfigError('CONFIG_MISSING', { file: path }, 'the config file does not exist',
      `create it (every key is documented in ${sampleConfigPath()}) or point --config / VOICEBOT_CONFIG at an existing file`)] };
  }
  const problems: ConfigError[] = [];
  let sections: IniSection[] = [];
  if (exists) {
    if (statSync(path).isDirectory()) return { loaded: undefined, problems: [folderGiven(path)] };
    const unfit = pathProblem(path, { kind: 'file', maxBytes: MAX_CONFIG_BYTES });
    if (unfit !== undefined) {
      return { loaded: undefined, problems: [new ConfigError('CONFIG_UNREADABLE', { file: path }, unfit, 'point --config / VOICEBOT_CONFIG at the voicebot.conf file (a regular text file)')] };
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      return { loaded: undefined, problems: [unreadable(path, error)] };
    }
    sections = parseIni(text, path, problems);
  }
  const loaded = buildConfig(path, exists, sections, env, problems);
  return { loaded, problems };
}

function folderGiven(path: string): ConfigError {
  return new ConfigError('CONFIG_IS_DIRECTORY', { file: path }, 'this is a folder, not a config file',
    `point --config / VOICEBOT_CONFIG at the voicebot.conf file (e.g. ${join(path, 'voicebot.conf')})`);
}

function unreadable(path: string, error: unknown): ConfigError {
  if ((error as NodeJS.ErrnoException).code === 'EISDIR') return folderGiven(path);
  return new ConfigError('CONFIG_UNREADABLE', { file: path }, `cannot read the file (${(error as Error).message})`,
    'make it readable by the user Asterisk runs as (usually asterisk)');
}

/** Validate parsed sections; exported for tests that feed text without files. */
export function buildConfig(file: string, exists: boolean, sections: IniSection[], env: NodeJS.ProcessEnv, problems?: ConfigError[]): LoadedConfig {
  const baseDir = dirname(file);
  /** Collect (skipping the entry) when `problems` is given, else stop at the first error. */
  const report = (error: ConfigError): void => {
    if (problems === undefined) throw error;
    problems.push(error);
  };
  const general = new Map<KeyName, { value: unknown; source: ValueSource }>();
  const profiles = new Map<string, Map<KeyName, { value: unknown; source: ValueSource }>>();
  const tools = new Map<string, HttpToolSpec>();

  for (const section of sections) {
    if (section.invalid === true) continue;
    if (section.name.startsWith(TOOL_SECTION_PREFIX)) {
      const tool = parseToolSection(section, file, report);
      if (tool !== undefined) tools.set(tool.name, tool);
      continue;
    }
    const isGeneral = section.name === GENERAL;
    if (!isGeneral && !/^[A-Za-z0-9_-]{1,64}$/.test(section.name)) {
      report(new ConfigError('CONFIG_PROFILE_NAME', { file, line: section.line }, `[${section.name}] is not a valid profile name`,
        'use letters, digits, _ and - only (it is passed as EAGI(voicebot,<profile>))'));
      continue;
    }
    const target = new Map<KeyName, { value: unknown; source: ValueSource }>();
    for (const entry of section.entries) {
      const spec = lookupKey(entry.key, { file, line: entry.line });
      if (spec instanceof ConfigError) {
        report(spec);
        continue;
      }
      if (!isGeneral && spec.scope === 'general') {
        report(new ConfigError('CONFIG_SCOPE', { file, line: entry.line, key: entry.key },
          `'${entry.key}' applies to the whole box, not one profile`, `move it to [general]`));
        continue;
      }
      if (target.has(entry.key as KeyName)) {
        report(new ConfigError('CONFIG_DUPLICATE_KEY', { file, line: entry.line, key: entry.key },
          `'${entry.key}' is set twice in [${section.name}]`, 'keep one of the two lines'));
        continue;
      }
      const parsed = parseValue(spec, entry.value);
      if ('problem' in parsed) {
        report(new ConfigError('CONFIG_VALUE', { file, line: entry.line, key: entry.key }, parsed.problem,
          `set ${entry.key} to ${describeType(spec)} (default: ${formatDefault(spec)})`));
        continue;
      }
      target.set(entry.key as KeyName, { value: absolutise(spec, parsed.value, baseDir), source: `${file}:${entry.line}` });
    }
    if (isGeneral) for (const [key, value] of target) general.set(key, value);
    else profiles.set(section.name, target);
  }

  const envValues = readEnvOverrides(env, report);
  const declaredTools = new Set([...tools.keys(), ...sections.filter((s) => s.name.startsWith(TOOL_SECTION_PREFIX)).map((s) => s.name.slice(TOOL_SECTION_PREFIX.length).trim())]);
  for (const [sectionName, values] of [[GENERAL, general], ...profiles, ['environment', envValues]] as const) {
    const entry = values.get('tools');
    for (const name of (entry?.value as readonly string[] | undefined) ?? []) {
      if (declaredTools.has(name)) continue;
      const guess = didYouMean(name, [...declaredTools]);
      const where = sectionName === 'environment' ? { file: 'environment variable VOICEBOT_TOOLS', key: 'tools' } : { file, line: lineOf(entry?.source), key: 'tools' };
      report(new ConfigError('CONFIG_UNKNOWN_TOOL', where, `${sectionName === 'environment' ? 'VOICEBOT_TOOLS' : `[${sectionName}]`} enables tool '${name}', which has no [tool:${name}] section`,
        guess !== undefined ? `did you mean '${guess}'?` : `add a [tool:${name}] section or remove it from tools`));
    }
  }

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
    toolsFor(profile) {
      const names = layered(profile).get('tools')?.value as readonly string[] | undefined;
      return (names ?? []).flatMap((name) => tools.get(name) ?? []);
    },
  };
}

function lineOf(source: ValueSource | undefined): number | undefined {
  const match = source === undefined ? null : /:(\d+)$/.exec(source);
  return match === null ? undefined : Number(match[1]);
}

function lookupKey(key: string, where: { file: string; line?: number }): KeySpec | ConfigError {
  const spec = (allKeys as Record<string, KeySpec>)[key];
  if (spec !== undefined) return spec;
  const guess = didYouMean(key, Object.keys(allKeys));
  return new ConfigError('CONFIG_UNKNOWN_KEY', { ...where, key }, `'${key}' is not a voicebot setting`,
    guess !== undefined ? `did you mean '${guess}'?` : 'remove the line; `voicebot doctor` lists the settings in use');
}

/** `VOICEBOT_<KEY>` sets one key for every profile; OLLAMA_HOST is honoured as Ollama's own tools do. */
function readEnvOverrides(env: NodeJS.ProcessEnv, report: (error: ConfigError) => void): Map<KeyName, { value: unknown; source: ValueSource }> {
  const out = new Map<KeyName, { value: unknown; source: ValueSource }>();
  const candidates: [string, KeyName][] = [['OLLAMA_HOST', 'ollama_host']];
  for (const key of Object.keys(allKeys)) candidates.push([`VOICEBOT_${key.toUpperCase()}`, key as KeyName]);
  for (const [name, key] of candidates) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const spec = allKeys[key] as KeySpec;
    const parsed = parseValue(spec, raw);
    if ('problem' in parsed) {
      report(new ConfigError('CONFIG_ENV_VALUE', { file: `environment variable ${name}` , key }, parsed.problem,
        `set ${name} to ${describeType(spec)} or unset it`));
      continue;
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
