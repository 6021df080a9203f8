import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger, type LogRecord } from '../../src/log.ts';
import { loadBetterSqlite3 } from '../../src/runtime/native.ts';
import type { Database } from '../../src/store/open.ts';
import type { WriterArgs } from './writer.ts';

export const REPO_ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const WRITER = join(REPO_ROOT, 'test', 'store', 'writer.ts');
export const CLI = join(REPO_ROOT, 'src', 'cli', 'main.ts');

/** A fresh folder readable by every user (the read-only test runs a writer as `nobody`). */
export function tempDir(prefix = 'voicebot-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** A logger that keeps its records for assertions. */
export function recordingLogger(): { logger: Logger; records: LogRecord[] } {
  const logger = new Logger({ stderr: false, level: 'debug' });
  const records: LogRecord[] = [];
  logger.addSink((record) => records.push(record));
  return { logger, records };
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a process to completion and collect its output. */
export function collect(child: ChildProcess): Promise<ProcessResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Start test/store/writer.ts as its own process; `prefix` wraps it (e.g. prlimit). */
export function spawnWriter(args: WriterArgs, options: { uid?: number; gid?: number; prefix?: string[] } = {}): ChildProcess {
  const command = [...(options.prefix ?? []), process.execPath, WRITER, JSON.stringify(args)];
  return spawn(command[0]!, command.slice(1), {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
}

/** Run the real CLI: `node src/cli/main.ts ...args`. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'], ...env },
  });
  return collect(child);
}

/** A plain connection for assertions (not through the code under test). */
export function rawDb(path: string, options: { readonly?: boolean } = {}): Database {
  const Database = loadBetterSqlite3();
  return new Database(path, { readonly: options.readonly ?? false, fileMustExist: true });
}
