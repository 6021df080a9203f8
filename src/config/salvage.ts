import { readFileSync } from 'node:fs';
import { pathProblem } from '../runtime/path-check.ts';
import type { Config } from './keys/index.ts';
import { parseIni } from './ini.ts';
import { buildConfig, configPath } from './load.ts';

/** The keys that say where a refusal is written: the log and the call log. */
const WHERE_KEYS: ReadonlySet<string> = new Set(['log_file', 'db_path', 'cache_dir', 'log_level', 'db_flush_timeout_ms']);

/**
 * For a voicebot.conf that does not load (a bad value, an unknown key): its `[general]` log and
 * call-log settings read on their own, everything else at its default, so the refused call is still
 * logged and recorded where the admin looks. Undefined when even that cannot be read.
 */
export function salvageConfig(option: string | undefined, env: NodeJS.ProcessEnv): Config | undefined {
  try {
    const { path } = configPath(option, env);
    if (pathProblem(path, { kind: 'file', maxBytes: 1024 * 1024 }) !== undefined) return undefined;
    const general = parseIni(readFileSync(path, 'utf8'), path).find((section) => section.name === 'general');
    const entries = general?.entries.filter((entry) => WHERE_KEYS.has(entry.key)) ?? [];
    const sections = general === undefined ? [] : [{ ...general, entries }];
    return buildConfig(path, true, sections, env).resolve();
  } catch {
    return undefined;
  }
}
