import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { errorCode, errorMessage } from '../errors.ts';
import type { Config } from '../config/keys/index.ts';
import type { LogFields, Logger } from '../log.ts';
import { closeCrashedCalls } from './crashed-calls.ts';
import { openWriter, type Database } from './open.ts';
import { currentProcess } from './process-identity.ts';
import { prepareStatements, type Statements } from './statements.ts';
import { isoTime, type CallEnd, type CallInfo, type ToolCallEntry, type TurnRecord } from './types.ts';
import { WriteQueue, type PendingWrite, type WriteStats } from './write-queue.ts';

export interface CallStoreOptions {
  path: string;
  logger: Logger;
  /** Longest a write may block the event loop waiting for the lock (then: background retries). */
  busyTimeoutMs?: number;
  /** How long locked writes are retried before they are logged as lost. */
  retryMaxMs?: number;
  /** Default deadline of `close()`. */
  flushTimeoutMs?: number;
  synchronous?: 'normal' | 'full';
  /** Write what is still pending synchronously when the process exits (default true). */
  exitHook?: boolean;
}

/**
 * The call loop's write-as-you-go handle on the call log. Every method returns at once and never
 * throws: writes go through a {@link WriteQueue} (synchronous first attempt, async retries on a
 * locked file, loud loss log with the data when the file is unwritable). The connection opens
 * lazily and reopens after a permanent failure, so a DB fixed mid-call gets the rest of the call.
 */
export class CallStore {
  readonly path: string;
  readonly #logger: Logger;
  readonly #queue: WriteQueue;
  readonly #options: Required<Omit<CallStoreOptions, 'path' | 'logger'>>;
  readonly #self = currentProcess();
  readonly #host = this.#self.host;
  readonly #started = new Map<string, string>();
  readonly #seq = new Map<string, number>();
  #db: Database | undefined;
  #statements: Statements | undefined;
  #closed = false;
  readonly #onExit = (): void => this.#finalDrain('process exiting');

  constructor(options: CallStoreOptions) {
    this.path = options.path;
    this.#logger = options.logger;
    this.#options = {
      busyTimeoutMs: options.busyTimeoutMs ?? 100,
      retryMaxMs: options.retryMaxMs ?? 60_000,
      flushTimeoutMs: options.flushTimeoutMs ?? 3000,
      synchronous: options.synchronous ?? 'normal',
      exitHook: options.exitHook ?? true,
    };
    this.#queue = new WriteQueue({
      logger: this.#logger,
      retryMaxMs: this.#options.retryMaxMs,
      describeFix: (error) => fixFor(error, this.path),
      onPermanentFailure: (error) => {
        if (!errorCode(error).startsWith('SQLITE_CONSTRAINT')) this.#disconnect();
      },
    });
    if (this.#options.exitHook) process.on('exit', this.#onExit);
  }

  /** Counters: written, retried attempts, lost writes, pending writes. */
  get stats(): WriteStats {
    return this.#queue.stats;
  }

  /**
   * Keep writes in memory (the file is not even opened) until `until` settles: a call's start
   * opens SQLite behind its greeting. Process exit and `close()` still write everything.
   */
  holdWritesUntil(until: Promise<unknown>): void {
    this.#queue.hold();
    void until.finally(() => this.#queue.release()).catch(() => undefined);
  }

  /** Start a call row; returns the call id every later write uses (time-sortable, unique across hosts). */
  openCall(info: CallInfo): string {
    const callId = newCallId(info.startedAtMs);
    const startedAt = isoTime(info.startedAtMs ?? Date.now());
    this.#started.set(callId, startedAt);
    this.#seq.set(callId, 0);
    const values = [...[info.uniqueid, this.#host, info.channel, info.callerNumber, info.callerName, info.dnid, info.context,
      info.extension, info.profile, info.model, info.voice].map(nullable), this.#self.pid, this.#self.bootId ?? null, this.#self.procStart ?? null];
    this.#push('openCall', callId, {
      uniqueid: info.uniqueid, channel: info.channel, callerNumber: info.callerNumber, callerName: info.callerName,
      dnid: info.dnid, context: info.context, extension: info.extension, profile: info.profile, model: info.model,
      voice: info.voice, startedAt,
    }, (s) => { s.openCall.run(callId, ...values, startedAt); });
    return callId;
  }

  /** Close rows left open by this host's processes that are gone (end_reason crashed). */
  closeCrashedCalls(): void {
    this.#push('closeCrashedCalls', '', {}, (_s, db) => {
      const closed = closeCrashedCalls(db, this.#self);
      if (closed.length > 0) this.#logger.warn('DB', 'closed call rows whose process is gone', { endReason: 'crashed', calls: closed.join(',') });
    });
  }

  markAnswered(callId: string, atMs: number = Date.now()): void {
    const answeredAt = isoTime(atMs);
    this.#push('markAnswered', callId, { answeredAt }, (s) => { s.answered.run(callId, this.#startedAt(callId), answeredAt); });
  }

  /** Store one completed turn; returns its sequence number within the call (1, 2, ...). */
  addTurn(callId: string, turn: TurnRecord): number {
    const seq = (this.#seq.get(callId) ?? 0) + 1;
    this.#seq.set(callId, seq);
    const endedAt = isoTime(turn.endedAtMs ?? Date.now());
    const startedAt = turn.startedAtMs === undefined ? null : isoTime(turn.startedAtMs);
    const row = [seq, turn.role, turn.text, nullable(turn.audioPath), nullable(turn.callerAudioPath), startedAt, endedAt,
      ms(turn.sttMs), ms(turn.llmFirstTokenMs), ms(turn.llmTotalMs), ms(turn.ttsMs), ms(turn.firstAudioMs),
      turn.interrupted === true ? 1 : 0, nullable(turn.playedText), nullable(turn.dtmf), turn.unplayed === true ? 1 : 0];
    this.#push('addTurn', callId, {
      seq, role: turn.role, text: turn.text, audioPath: turn.audioPath, callerAudioPath: turn.callerAudioPath,
      startedAt: startedAt ?? undefined, endedAt, sttMs: turn.sttMs, llmFirstTokenMs: turn.llmFirstTokenMs,
      llmTotalMs: turn.llmTotalMs, ttsMs: turn.ttsMs, firstAudioMs: turn.firstAudioMs, interrupted: turn.interrupted === true,
      playedText: turn.playedText, dtmf: turn.dtmf, unplayed: turn.unplayed === true,
    }, (s, db) => {
      db.transaction(() => {
        s.ensureCall.run(callId, this.#host, this.#startedAt(callId));
        s.turn.run(callId, ...row);
      }).immediate();
    });
    return seq;
  }

  /** Something worth seeing in the timeline: barge-in, dtmf, error, reprompt, transfer, ... */
  addEvent(callId: string, kind: string, detail?: string, atMs: number = Date.now()): void {
    const at = isoTime(atMs);
    this.#push('addEvent', callId, { kind, detail, at }, (s, db) => {
      db.transaction(() => {
        s.ensureCall.run(callId, this.#host, this.#startedAt(callId));
        s.event.run(callId, at, kind, nullable(detail));
      }).immediate();
    });
  }

  /** One HTTP tool call of the model, with what it was given back. */
  addToolCall(callId: string, call: ToolCallEntry): void {
    const at = isoTime(call.atMs);
    const row = [at, call.tool, call.arguments, call.code, call.httpStatus ?? null, Math.round(call.durationMs), call.waited ? 1 : 0, call.result];
    this.#push('addToolCall', callId, { tool: call.tool, code: call.code, arguments: call.arguments, result: call.result, at }, (s, db) => {
      db.transaction(() => {
        s.ensureCall.run(callId, this.#host, this.#startedAt(callId));
        s.toolCall.run(callId, ...row);
      }).immediate();
    });
  }

  closeCall(callId: string, end: CallEnd): void {
    const endedAt = isoTime(end.endedAtMs ?? Date.now());
    this.#push('closeCall', callId, { endReason: end.endReason, status: end.status, outcome: end.outcome, endedAt }, (s) => {
      s.close.run(callId, this.#host, this.#startedAt(callId), endedAt, end.endReason, nullable(end.status), nullable(end.outcome));
    });
  }

  /** Wait until every write is stored or logged as lost; false if `timeoutMs` passed first. */
  flush(timeoutMs: number = this.#options.flushTimeoutMs): Promise<boolean> {
    return this.#queue.whenIdle(timeoutMs);
  }

  /**
   * Flush with a deadline, then one last synchronous attempt per pending write (anything still
   * failing is logged as lost with its data), then close the connection. Never rejects.
   */
  async close(deadlineMs: number = this.#options.flushTimeoutMs): Promise<WriteStats> {
    if (!this.#closed) {
      await this.#queue.whenIdle(deadlineMs);
      this.#finalDrain('close deadline passed');
    }
    return this.stats;
  }

  #finalDrain(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    process.off('exit', this.#onExit);
    if (this.#queue.stats.pending > 0) {
      try {
        this.#connect().db.pragma(`busy_timeout = ${Math.min(1000, Math.max(this.#options.busyTimeoutMs, this.#options.flushTimeoutMs))}`);
      } catch {
        // The writes below fail too and are logged with their data.
      }
      this.#queue.drainSync(reason);
    }
    this.#disconnect();
  }

  #push(op: string, callId: string, fields: LogFields, write: (s: Statements, db: Database) => void): void {
    if (this.#closed) {
      this.#logger.error('DB', `CALL LOG WRITE LOST (store already closed): ${op} not stored; its data follows`, { op, callId, ...fields });
      return;
    }
    const pending: PendingWrite = {
      op,
      callId,
      fields,
      run: () => {
        const { db, statements } = this.#connect();
        write(statements, db);
      },
    };
    this.#queue.push(pending);
  }

  #connect(): { db: Database; statements: Statements } {
    if (this.#db !== undefined && this.#statements !== undefined) return { db: this.#db, statements: this.#statements };
    const db = openWriter(this.path, { busyTimeoutMs: this.#options.busyTimeoutMs, synchronous: this.#options.synchronous });
    try {
      this.#statements = prepareStatements(db);
    } catch (error) {
      db.close();
      throw error;
    }
    this.#db = db;
    return { db, statements: this.#statements };
  }

  #disconnect(): void {
    const db = this.#db;
    this.#db = undefined;
    this.#statements = undefined;
    if (db === undefined) return;
    try {
      db.close();
    } catch (error) {
      this.#logger.warn('DB', 'closing the call log failed', { error: errorCode(error), message: errorMessage(error) });
    }
  }

  #startedAt(callId: string): string {
    let startedAt = this.#started.get(callId);
    if (startedAt === undefined) {
      startedAt = isoTime(Date.now());
      this.#started.set(callId, startedAt);
    }
    return startedAt;
  }
}

/** A CallStore configured from voicebot.conf. */
export function callStoreFromConfig(config: Config, logger: Logger, options: { exitHook?: boolean } = {}): CallStore {
  return new CallStore({
    path: config.db_path,
    logger,
    busyTimeoutMs: config.db_busy_timeout_ms,
    retryMaxMs: config.db_retry_max_seconds * 1000,
    flushTimeoutMs: config.db_flush_timeout_ms,
    synchronous: config.db_synchronous,
    exitHook: options.exitHook ?? true,
  });
}

/** `20251123-214501-7f3a9c0e`: UTC start time plus 32 random bits. Safe as a file name. */
export function newCallId(atMs: number = Date.now()): string {
  const stamp = new Date(atMs).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `${stamp.slice(0, 8)}-${stamp.slice(9)}-${randomBytes(4).toString('hex')}`;
}

/** What an admin does about a write that failed with this error. */
export function fixFor(error: unknown, path: string): string | undefined {
  const code = errorCode(error);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `another process held the lock on ${path} too long (an open sqlite3 shell transaction?); raise db_retry_max_seconds if this recurs`;
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return `make ${path} and ${dirname(path)} writable by the user voicebot runs as (usually asterisk)`;
  }
  if (code.startsWith('SQLITE_FULL') || code.startsWith('SQLITE_IOERR') || code === 'ENOSPC') {
    return `free space on the disk holding ${path} (df -h ${dirname(path)})`;
  }
  if (code === 'EEXIST' || code === 'ENOTDIR') return `${dirname(path)} must be a folder; fix db_path`;
  return undefined;
}

function nullable(value: string | undefined): string | null {
  return value === undefined ? null : value;
}

function ms(value: number | undefined): number | null {
  return value === undefined || !Number.isFinite(value) ? null : Math.round(value);
}
