import { VoicebotError } from '../errors.ts';
import type { LogFields, Logger, LogLevel } from '../log.ts';
import { backoffMs, checkWebhookUrl, maskSecrets, numbersProblem, outcomeFields, postOnce, requestHeaders } from './delivery.ts';

export { checkWebhookUrl } from './delivery.ts';

export type CallEventKind = 'call_started' | 'turn' | 'tool_call' | 'call_ended' | 'say_do_mismatch';

/** The JSON body of one POST. */
export interface CallEvent {
  kind: CallEventKind;
  callId: string;
  /** ISO time of `emit()`. */
  at: string;
  /** 1, 2, ... per call id, in order of `emit()`; a gap means events were dropped or abandoned. */
  seq: number;
  data: Record<string, unknown>;
}

export interface WebhookOptions {
  /** Absolute http(s) URL; see `checkWebhookUrl`. */
  url: string;
  /** Per attempt, until the answer's status line. */
  timeoutMs: number;
  /** Attempts per event, the first included (1: never retry). */
  maxAttempts: number;
  /** Backoff base, doubled per attempt, with jitter, capped at 30 s. */
  retryBaseMs: number;
  /** Events waiting behind the one in flight; beyond it the oldest are dropped and counted. */
  maxQueued: number;
  /** Sent with every POST; values are secrets and never logged. */
  headers?: Record<string, string>;
  log: Logger;
  fetchImpl?: typeof fetch;
}

/**
 * Counts since construction. `emitted = delivered + failed + dropped + abandoned + pending`.
 * `pending` includes the event in flight.
 */
export interface WebhookStats {
  emitted: number;
  delivered: number;
  failed: number;
  dropped: number;
  abandoned: number;
  pending: number;
}

export interface FlushResult {
  delivered: number;
  pending: number;
  dropped: number;
  failed: number;
}

interface QueuedEvent {
  kind: CallEventKind;
  callId: string;
  seq: number;
  body: string;
}

/**
 * Posts call events to an admin's webhook in the background. One event is in flight at a time
 * for the whole sink (one process per call), so the events of a call arrive in order. Nothing
 * here may delay or break the call: `emit` is synchronous and never throws, delivery problems
 * are counted and logged, and no timer holds the process except `flush`'s deadline.
 */
export class WebhookSink {
  readonly #options: Required<Omit<WebhookOptions, 'headers'>>;
  readonly #headers: Headers;
  readonly #secrets: string[];
  readonly #origin: string;
  readonly #stop = new AbortController();
  readonly #seqs = new Map<string, number>();
  #queue: QueuedEvent[] = [];
  #inFlight: QueuedEvent | undefined;
  #pumping = false;
  #warnedDrop = false;
  #sleepTimer: NodeJS.Timeout | undefined;
  #wakeSleeper: (() => void) | undefined;
  readonly #drainWaiters = new Set<() => void>();
  readonly #counts = { emitted: 0, delivered: 0, failed: 0, dropped: 0, abandoned: 0 };

  /** Throws VoicebotError `WEBHOOK_OPTIONS` on a bad URL, number or header (validate config first). */
  constructor(options: WebhookOptions) {
    const problem = checkWebhookUrl(options.url) ?? numbersProblem(options);
    if (problem !== undefined) throw new VoicebotError('WEBHOOK_OPTIONS', problem);
    this.#headers = requestHeaders(options.headers ?? {});
    this.#secrets = Object.values(options.headers ?? {}).filter((value) => value !== '');
    this.#origin = new URL(options.url).origin;
    this.#options = { ...options, fetchImpl: options.fetchImpl ?? ((input, init) => fetch(input, init)) };
  }

  /** Queue one event; returns at once. Never throws, never waits for the network. */
  emit(kind: CallEventKind, callId: string, data: Record<string, unknown>): void {
    try {
      const seq = (this.#seqs.get(callId) ?? 0) + 1;
      this.#seqs.set(callId, seq);
      this.#counts.emitted += 1;
      if (this.#stop.signal.aborted) {
        this.#counts.abandoned += 1;
        return;
      }
      this.#queue.push({ kind, callId, seq, body: this.#serialize({ kind, callId, at: new Date().toISOString(), seq, data }) });
      this.#dropOverflow();
      if (!this.#pumping) {
        this.#pumping = true;
        queueMicrotask(() => void this.#pump());
      }
    } catch {
      // A broken logger sink or clock must not reach the caller.
    }
  }

  /**
   * Wait until every queued event is delivered or given up, or `deadlineMs` (a duration) passes.
   * Its timer is the only one here that holds the process. Never rejects.
   */
  flush(deadlineMs: number): Promise<FlushResult> {
    return new Promise<FlushResult>((resolve) => {
      const result = () => {
        const { delivered, dropped, failed } = this.#counts;
        return { delivered, pending: this.#pendingCount(), dropped, failed };
      };
      if (this.#pendingCount() === 0) {
        resolve(result());
        return;
      }
      const done = () => {
        clearTimeout(timer);
        this.#drainWaiters.delete(done);
        resolve(result());
      };
      const timer = setTimeout(done, Number.isFinite(deadlineMs) ? Math.max(0, deadlineMs) : 0);
      this.#drainWaiters.add(done);
    });
  }

  /** Stop at once: abort the attempt in flight, clear timers, abandon (and count) what is pending. */
  close(): void {
    if (this.#stop.signal.aborted) return;
    this.#counts.abandoned += this.#pendingCount();
    this.#queue = [];
    this.#inFlight = undefined;
    this.#stop.abort();
    clearTimeout(this.#sleepTimer);
    this.#wakeSleeper?.();
    this.#notifyDrained();
  }

  /** The JSON bodies not delivered yet (the one in flight first), to keep them before `close()`. */
  get undelivered(): string[] {
    return [this.#inFlight, ...this.#queue].flatMap((event) => (event === undefined ? [] : [event.body]));
  }

  get stats(): WebhookStats {
    return { ...this.#counts, pending: this.#pendingCount() };
  }

  #pendingCount(): number {
    return this.#queue.length + (this.#inFlight === undefined ? 0 : 1);
  }

  async #pump(): Promise<void> {
    for (let event = this.#queue.shift(); event !== undefined; event = this.#queue.shift()) {
      this.#inFlight = event;
      try {
        await this.#deliver(event);
      } catch (error) {
        // postOnce never rejects and #log never throws: a bug, yet the sink goes on.
        if (!this.#stop.signal.aborted) this.#counts.failed += 1;
        this.#log('warn', 'webhook delivery broke; event lost', { ...eventFields(event), error: error instanceof Error ? error.name : typeof error });
      }
      if (this.#stop.signal.aborted) return;
      this.#inFlight = undefined;
    }
    this.#pumping = false;
    this.#notifyDrained();
  }

  async #deliver(event: QueuedEvent): Promise<void> {
    const { url, timeoutMs, fetchImpl, maxAttempts, retryBaseMs } = this.#options;
    const request = { url, headers: this.#headers, body: event.body, timeoutMs, fetchImpl };
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await postOnce(request, this.#stop.signal);
      if (outcome.kind === 'stopped' || this.#stop.signal.aborted) return;
      if (outcome.kind === 'delivered') {
        this.#counts.delivered += 1;
        return;
      }
      const fields = { ...eventFields(event), attempt, ...outcomeFields(outcome) };
      if (outcome.kind === 'refused') {
        this.#counts.failed += 1;
        const why = outcome.status >= 300 && outcome.status < 400 ? 'answered a redirect (not followed)' : 'refused the event';
        this.#log('warn', `webhook ${why}; not retrying`, { ...fields, origin: this.#origin });
        return;
      }
      if (attempt >= maxAttempts) {
        this.#counts.failed += 1;
        this.#log('warn', 'webhook gave up on an event', { ...fields, origin: this.#origin });
        return;
      }
      const waitMs = backoffMs(retryBaseMs, attempt);
      this.#log('debug', 'webhook attempt failed; retrying', { ...fields, retryInMs: waitMs });
      await this.#sleep(waitMs);
    }
  }

  /** An unref'd wait that `close()` ends early. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wakeSleeper = resolve;
      this.#sleepTimer = setTimeout(resolve, ms);
      this.#sleepTimer.unref();
    }).finally(() => {
      this.#wakeSleeper = undefined;
      this.#sleepTimer = undefined;
    });
  }

  #serialize(event: CallEvent): string {
    try {
      return JSON.stringify(event);
    } catch (error) {
      this.#log('warn', 'webhook event data is not JSON; sending it without its data', { ...eventFields(event), error: error instanceof Error ? error.name : typeof error });
      return JSON.stringify({ ...event, data: { error: 'data not serializable as JSON' } });
    }
  }

  #dropOverflow(): void {
    const excess = this.#queue.length - this.#options.maxQueued;
    if (excess <= 0) return;
    const lost = this.#queue.splice(0, excess);
    this.#counts.dropped += excess;
    const fields = { dropped: excess, droppedTotal: this.#counts.dropped, maxQueued: this.#options.maxQueued, firstSeq: lost[0]?.seq };
    // One warning per sink: a dead webhook must not flood the call log.
    this.#log(this.#warnedDrop ? 'debug' : 'warn', 'webhook queue full; dropped the oldest events', fields);
    this.#warnedDrop = true;
  }

  #notifyDrained(): void {
    if (this.#pendingCount() > 0) return;
    for (const waiter of [...this.#drainWaiters]) waiter();
  }

  /** Log with every header value masked, wherever it shows up (e.g. in an error text). */
  #log(level: LogLevel, message: string, fields: LogFields): void {
    const masked: LogFields = {};
    for (const [key, value] of Object.entries(fields)) masked[key] = typeof value === 'string' ? maskSecrets(value, this.#secrets) : value;
    try {
      this.#options.log[level]('HOOK', message, masked);
    } catch {
      // Logging is best effort here.
    }
  }
}

function eventFields(event: Pick<CallEvent, 'kind' | 'callId' | 'seq'>): LogFields {
  return { event: event.kind, callId: event.callId, seq: event.seq };
}
