import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { VoicebotError } from '../errors.ts';
import { loadBetterSqlite3 } from '../runtime/native.ts';
import { migrate, SCHEMA_VERSION, userVersion } from './schema.ts';

export type Database = BetterSqlite3.Database;

export interface OpenWriterOptions {
  /** Time one statement may wait for the lock, blocking the event loop. */
  busyTimeoutMs: number;
  /** `normal`: durable against a crashed process, not a power cut; `full`: fsync per commit. */
  synchronous: 'normal' | 'full';
  /** Create a missing parent folder (0750). */
  createFolder?: boolean;
}

/**
 * Open the call log for writing: WAL (many processes write at once, readers never block writers),
 * the given busy timeout, foreign keys on, schema migrated forward. Throws the driver's error
 * (`code` SQLITE_*) or a VoicebotError; the caller decides whether that is retryable.
 */
export function openWriter(path: string, options: OpenWriterOptions): Database {
  if (options.createFolder !== false) mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  const Database = loadBetterSqlite3();
  const db = new Database(path, { timeout: options.busyTimeoutMs });
  try {
    // Switching to WAL takes an exclusive lock once per file; afterwards it is a no-op read.
    const mode = db.pragma('journal_mode', { simple: true });
    if (mode !== 'wal') db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Open the call log for reading (the CLI). Never writes call data; if the file has an older
 * schema it is first migrated through a short-lived writer (what the next call would do anyway).
 */
export function openReader(path: string, options: { busyTimeoutMs?: number } = {}): Database {
  const Database = loadBetterSqlite3();
  const timeout = options.busyTimeoutMs ?? 5000;
  let db = openExisting(Database, path, { readonly: true, timeout });
  const version = userVersion(db);
  if (version < SCHEMA_VERSION) {
    db.close();
    openWriter(path, { busyTimeoutMs: timeout, synchronous: 'normal', createFolder: false }).close();
    db = openExisting(Database, path, { readonly: true, timeout });
  } else if (version > SCHEMA_VERSION) {
    db.close();
    throw new VoicebotError('DB_SCHEMA_NEWER', `${path} has call log schema v${version} but this voicebot knows only up to v${SCHEMA_VERSION}. Fix: use the voicebot that wrote it, or upgrade this one`);
  }
  return db;
}

/** Open for maintenance (prune): read-write, no folder creation, longer busy timeout. */
export function openMaintenance(path: string, options: { busyTimeoutMs?: number } = {}): Database {
  const Database = loadBetterSqlite3();
  openExisting(Database, path, { readonly: true, timeout: 0 }).close();
  const db = openWriter(path, { busyTimeoutMs: options.busyTimeoutMs ?? 5000, synchronous: 'normal', createFolder: false });
  return db;
}

function openExisting(
  Database: ReturnType<typeof loadBetterSqlite3>,
  path: string,
  options: { readonly: boolean; timeout: number },
): Database {
  try {
    return new Database(path, { readonly: options.readonly, fileMustExist: true, timeout: options.timeout });
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CANTOPEN') {
      throw new VoicebotError('DB_MISSING', `there is no call log at ${path} (no call has been stored yet, or db_path points elsewhere). Fix: check db_path in voicebot.conf or pass --db FILE`, { cause: error });
    }
    throw error;
  }
}
