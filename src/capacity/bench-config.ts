import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/keys/index.ts';
import { allKeys } from '../config/keys/index.ts';
import { callKeys } from '../config/keys/call.ts';
import { llmKeys } from '../config/keys/llm.ts';
import { standinKeys } from '../config/keys/standin.ts';
import { sttKeys } from '../config/keys/stt.ts';
import { ttsKeys } from '../config/keys/tts.ts';
import type { KeySpec } from '../config/schema.ts';

/**
 * Keys a benchmark call takes from the measured profile: the engines (TEST STAND-IN costs too), the
 * LLM and how the call behaves. Tools and the webhook are left out on purpose: a benchmark call must never reach the
 * admin's business systems. Paths, logging and the call limit are the bench's own.
 */
const CARRIED_KEYS: readonly string[] = [
  ...Object.keys(sttKeys), ...Object.keys(ttsKeys), ...Object.keys(llmKeys), ...Object.keys(callKeys), ...Object.keys(standinKeys),
  'tool_max_rounds', 'transfer_patterns', 'say_do_policy', 'redact_transcripts', 'agi_reply_timeout_ms',
];

/** Where everything a benchmark writes goes: one temp folder, removed at the end. */
export interface BenchPaths {
  dir: string;
  dbPath: string;
  logFile: string;
  cacheDir: string;
  /** One log per simulated call, to read its own "process done" and overrun lines. */
  callLogDir: string;
}

export function benchPaths(dir: string): BenchPaths {
  const paths = { dir, dbPath: join(dir, 'calls.db'), logFile: join(dir, 'voicebot.log'), cacheDir: join(dir, 'cache'), callLogDir: join(dir, 'call-logs') };
  mkdirSync(paths.callLogDir, { recursive: true });
  return paths;
}

/**
 * Writes the voicebot.conf every benchmark call runs with: the profile's resolved values (so
 * relative paths, profile overrides and VOICEBOT_* variables are already applied) in [general],
 * with db_path, log_file and cache_dir in the temp folder and no call limit.
 */
export function writeBenchConfig(config: Config, paths: BenchPaths, overrides: { ollamaHost: string; maxConcurrentCalls?: number }): string {
  const settings: Record<string, unknown> = {};
  const values = config as unknown as Record<string, unknown>;
  const table = allKeys as Record<string, KeySpec>;
  for (const key of CARRIED_KEYS) {
    const spec = table[key];
    if (spec === undefined || sameValue(values[key], spec.default)) continue;
    settings[key] = values[key];
  }
  Object.assign(settings, {
    ollama_host: overrides.ollamaHost,
    db_path: paths.dbPath,
    log_file: paths.logFile,
    cache_dir: paths.cacheDir,
    max_concurrent_calls: overrides.maxConcurrentCalls ?? 0,
    log_level: 'info',
    log_stderr: 'no',
  });
  const lines = ['; written by voicebot bench for its simulated calls (removed when the bench ends)', '[general]'];
  for (const [key, value] of Object.entries(settings)) lines.push(`${key} = ${iniValue(value)}`);
  const path = join(paths.dir, 'voicebot.conf');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/**
 * The environment of a benchmark call: the bench's own, minus every variable that would override
 * the temp config (VOICEBOT_<KEY>, OLLAMA_HOST, VOICEBOT_CONFIG); the resolved config holds them.
 */
export function benchCallEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const overriding = new Set(['OLLAMA_HOST', 'VOICEBOT_CONFIG', ...Object.keys(allKeys).map((key) => `VOICEBOT_${key.toUpperCase()}`)]);
  return Object.fromEntries(Object.entries(env).filter(([name]) => !overriding.has(name)));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i]);
  return a === b;
}

/** One INI value: `;` escaped (it starts a comment), line breaks folded (values are one line). */
function iniValue(value: unknown): string {
  const text = typeof value === 'boolean' ? (value ? 'yes' : 'no')
    : Array.isArray(value) ? value.map(String).join(', ')
      : String(value);
  return text.replace(/[\r\n]+/g, ' ').replace(/;/g, '\\;');
}
