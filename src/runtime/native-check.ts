import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../errors.ts';
import { libvoskPath, loadBetterSqlite3, loadKoffi, loadSherpaOnnx } from './native.ts';
import { isSingleExecutable } from './sea-assets.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a failure; empty when ok. */
  fix: string;
}

/** Load every native piece the way a call does, and use it once. */
export function checkNativeLibraries(): CheckResult[] {
  const where = isSingleExecutable() ? 'embedded' : 'node_modules';
  return [checkSqlite(where), checkVosk(where), checkSherpa(where)];
}

function checkSqlite(where: string): CheckResult {
  const name = 'native better-sqlite3';
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-doctor-'));
  try {
    const Database = loadBetterSqlite3();
    const db = new Database(join(dir, 'check.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x INTEGER)');
    db.prepare('INSERT INTO t (x) VALUES (?)').run(42);
    const row = db.prepare('SELECT x, sqlite_version() AS version FROM t').get() as { x: number; version: string };
    db.close();
    if (row.x !== 42) return fail(name, 'a temp database did not read back what was written', 'reinstall voicebot');
    return pass(name, `opened a temp database, SQLite ${row.version} (${where})`);
  } catch (error) {
    return fail(name, errorMessage(error), nativeFix());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function checkVosk(where: string): CheckResult {
  const name = 'native koffi + libvosk';
  try {
    const koffi = loadKoffi();
    const lib = koffi.load(libvoskPath());
    const setLogLevel = lib.func('void vosk_set_log_level(int level)');
    setLogLevel(-1);
    const gpuInit = lib.func('void vosk_gpu_init()');
    if (typeof gpuInit !== 'function') return fail(name, 'libvosk lacks vosk_gpu_init', nativeFix());
    return pass(name, `koffi ${koffi.version} loaded libvosk and called vosk_set_log_level (${where})`);
  } catch (error) {
    return fail(name, errorMessage(error), nativeFix());
  }
}

function checkSherpa(where: string): CheckResult {
  const name = 'native sherpa-onnx';
  try {
    const sherpa = loadSherpaOnnx() as { version?: unknown; OfflineTts?: unknown };
    if (typeof sherpa.OfflineTts !== 'function') return fail(name, 'sherpa-onnx-node has no OfflineTts', nativeFix());
    return pass(name, `sherpa-onnx ${String(sherpa.version)} and onnxruntime loaded (${where})`);
  } catch (error) {
    return fail(name, errorMessage(error), nativeFix());
  }
}

function nativeFix(): string {
  return isSingleExecutable()
    ? 'the extraction folder may be unwritable or mounted noexec: set VOICEBOT_NATIVE_DIR to a writable, exec-allowed folder'
    : 'run npm ci (with Node 24) in the voicebot folder';
}

export function pass(name: string, detail: string): CheckResult {
  return { name, ok: true, detail, fix: '' };
}

export function fail(name: string, detail: string, fix: string): CheckResult {
  return { name, ok: false, detail, fix };
}
