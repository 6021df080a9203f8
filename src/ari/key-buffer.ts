import { untilAborted, withDeadline } from '../runtime/deadline.ts';

/** Keys kept while nobody waits; older ones are dropped beyond this. */
const MAX_KEPT_KEYS = 16;

/**
 * DTMF keys from the media socket. A key goes to the oldest waiter; when nobody waits it is kept
 * for the next `next()`, so a key pressed between two waits is not lost.
 */
export class KeyBuffer {
  readonly #keys: string[] = [];
  readonly #waiters: ((key: string | undefined) => void)[] = [];
  #ended = false;

  push(key: string): void {
    if (this.#ended) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter(key);
      return;
    }
    this.#keys.push(key);
    if (this.#keys.length > MAX_KEPT_KEYS) this.#keys.shift();
  }

  /** No more keys (the socket closed): every wait resolves undefined. */
  end(): void {
    this.#ended = true;
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  /** Drops the kept keys; returns them. */
  clear(): string[] {
    return this.#keys.splice(0);
  }

  /** The next key (a kept one first); undefined on `signal`, after `timeoutMs`, or at the end. */
  next(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<string | undefined> {
    const kept = this.#keys.shift();
    if (kept !== undefined) return Promise.resolve(kept);
    if (this.#ended || options.signal?.aborted === true) return Promise.resolve(undefined);
    let delivered: string | undefined;
    let resolveWait: (key: string | undefined) => void = () => {};
    let wait = new Promise<string | undefined>((resolve) => { resolveWait = resolve; });
    const waiter = (key: string | undefined) => { delivered = key; resolveWait(key); };
    this.#waiters.push(waiter);
    // A key handed over in the same tick as the abort or deadline is kept for the next wait.
    const forget = () => {
      const index = this.#waiters.indexOf(waiter);
      if (index >= 0) this.#waiters.splice(index, 1);
      else if (delivered !== undefined) this.#keys.unshift(delivered);
      return undefined;
    };
    if (options.timeoutMs !== undefined) wait = withDeadline(wait, options.timeoutMs, forget);
    if (options.signal !== undefined) wait = untilAborted(wait, options.signal, forget);
    return wait;
  }
}
