import { errorCode, errorMessage } from '../errors.ts';
import type { LogFields, Logger } from '../log.ts';

/** One write the call loop asked for; `fields` is its whole data, logged if it is ever lost. */
export interface PendingWrite {
  op: string;
  callId: string;
  fields: LogFields;
  /** Runs the write synchronously (one transaction). Throws the driver's error. */
  run(): void;
}

export interface WriteQueueOptions {
  logger: Logger;
  /** How long a write that keeps finding the DB locked is retried before it is logged as lost. */
  retryMaxMs: number;
  /** First backoff delay; doubles per attempt with jitter, capped by `backoffMaxMs`. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A one-line fix for an error, added to the loss line. */
  describeFix?: (error: unknown) => string | undefined;
  /** Called after a permanent failure so the next attempt reopens the connection. */
  onPermanentFailure?: (error: unknown) => void;
}

export interface WriteStats {
  written: number;
  /** Attempts that found the DB locked and were rescheduled. */
  retries: number;
  lost: number;
  pending: number;
}

/** Lock contention: the same write can succeed a moment later. */
export function isTransientDbError(error: unknown): boolean {
  const code = errorCode(error);
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === 'SQLITE_PROTOCOL';
}

/**
 * Ordered writes for one process. The first attempt runs synchronously inside the caller (so a
 * completed turn is committed before the call moves on, and a crash loses at most the turn in
 * flight); a locked DB is retried on timers with exponential backoff, never blocking the event
 * loop for longer than one busy timeout. Writes stay in order (a turn never lands before its call
 * row). A write that cannot succeed (read-only, disk full, missing folder, retries exhausted) is
 * logged at ERROR with all its data: never dropped silently. Nothing here throws to the caller.
 */
export class WriteQueue {
  readonly #options: Required<Omit<WriteQueueOptions, 'onPermanentFailure' | 'describeFix'>> & Pick<WriteQueueOptions, 'onPermanentFailure' | 'describeFix'>;
  readonly #queue: { write: PendingWrite; firstFailureMs: number | undefined; attempts: number }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #held = false;
  #stats = { written: 0, retries: 0, lost: 0 };
  #idleWaiters: (() => void)[] = [];

  constructor(options: WriteQueueOptions) {
    this.#options = { backoffBaseMs: 5, backoffMaxMs: 500, ...options };
  }

  get stats(): WriteStats {
    return { ...this.#stats, pending: this.#queue.length };
  }

  /** Queue a write and, when nothing is waiting ahead of it (and the queue is not held), attempt it now. */
  push(write: PendingWrite): void {
    this.#queue.push({ write, firstFailureMs: undefined, attempts: 0 });
    if (this.#queue.length === 1 && this.#timer === undefined && !this.#held) this.#drain();
  }

  /** Keep writes in memory until `release()` (drainSync still writes them: exit and close never lose them). */
  hold(): void {
    this.#held = true;
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (this.#queue.length > 0 && this.#timer === undefined) this.#drain();
  }

  /** Resolves when every queued write is written or lost, or after `timeoutMs`; true when empty. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.#queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idleWaiters = this.#idleWaiters.filter((waiter) => waiter !== done);
        resolve(this.#queue.length === 0);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#idleWaiters.push(done);
    });
  }

  /**
   * Last chance, synchronous (for `close()` past its deadline and process exit): one attempt per
   * write, in order; whatever still fails is logged as lost with its data.
   */
  drainSync(reason: string): void {
    this.#held = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#queue.length > 0) {
      const entry = this.#queue.shift()!;
      try {
        entry.write.run();
        this.#stats.written++;
      } catch (error) {
        this.#lose(entry.write, error, reason);
      }
    }
    this.#notifyIdle();
  }

  #drain(): void {
    this.#timer = undefined;
    while (this.#queue.length > 0) {
      const entry = this.#queue[0]!;
      try {
        entry.write.run();
        this.#stats.written++;
        this.#queue.shift();
        continue;
      } catch (error) {
        const now = Date.now();
        entry.firstFailureMs ??= now;
        if (isTransientDbError(error) && now - entry.firstFailureMs < this.#options.retryMaxMs) {
          entry.attempts++;
          this.#stats.retries++;
          // A few busy retries are ordinary contention between calls; a long wait is worth a warning.
          const fields = { callId: entry.write.callId, op: entry.write.op, attempts: entry.attempts, waitedMs: now - entry.firstFailureMs, error: errorCode(error) };
          if (entry.attempts === 10 || entry.attempts % 50 === 0) this.#options.logger.warn('DB', 'call log is locked; write will be retried', fields);
          else this.#options.logger.debug('DB', 'call log is locked; write will be retried', fields);
          this.#timer = setTimeout(() => this.#drain(), this.#backoffMs(entry.attempts));
          return;
        }
        this.#queue.shift();
        this.#lose(entry.write, error, isTransientDbError(error) ? `still locked after ${now - entry.firstFailureMs} ms` : 'unwritable');
        if (!isTransientDbError(error)) this.#options.onPermanentFailure?.(error);
      }
    }
    this.#notifyIdle();
  }

  #backoffMs(attempts: number): number {
    const ceiling = Math.min(this.#options.backoffMaxMs, this.#options.backoffBaseMs * 2 ** Math.min(attempts, 20));
    return Math.max(1, Math.round(ceiling * (0.5 + Math.random() * 0.5)));
  }

  #lose(write: PendingWrite, error: unknown, reason: string): void {
    this.#stats.lost++;
    this.#options.logger.error('DB', `CALL LOG WRITE LOST (${reason}): ${write.op} not stored; its data follows`, {
      op: write.op,
      callId: write.callId,
      error: errorCode(error),
      message: errorMessage(error),
      fix: this.#options.describeFix?.(error),
      ...write.fields,
    });
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
