import { untilAborted, withDeadline } from './deadline.ts';

/** What `AsyncQueue.next()` gives: an item, the end, or why the wait stopped first. */
export type QueueNext<T> = { kind: 'item'; item: T } | { kind: 'done' } | { kind: 'timeout' };

/**
 * A single-consumer async queue: producers `push` and `end`; the consumer iterates. `next(timeoutMs)`
 * lets the consumer do something else (say a filler phrase) when an item is slow to come.
 * One consumer waits at a time: a second concurrent `next()` would take the first one's wake-up.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #ended = false;
  #waiter: (() => void) | undefined;

  push(item: T): void {
    if (this.#ended) return;
    this.#items.push(item);
    this.#wake();
  }

  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** Drop the oldest waiting items so that at most `keep` remain; returns how many were dropped. */
  dropOldest(keep: number): number {
    const excess = this.#items.length - keep;
    if (excess <= 0) return 0;
    this.#items.splice(0, excess);
    return excess;
  }

  /**
   * The next item, `done` when ended and drained, `timeout` when `timeoutMs` passed first, or
   * `aborted` when `signal` aborted first. Items pushed meanwhile stay queued for the next call.
   */
  next(timeoutMs?: number): Promise<QueueNext<T>>;
  next(timeoutMs: number | undefined, signal: AbortSignal): Promise<QueueNext<T> | { kind: 'aborted' }>;
  async next(timeoutMs?: number, signal?: AbortSignal): Promise<QueueNext<T> | { kind: 'aborted' }> {
    for (;;) {
      if (this.#items.length > 0) return { kind: 'item', item: this.#items.shift() as T };
      if (this.#ended) return { kind: 'done' };
      if (signal?.aborted === true) return { kind: 'aborted' };
      let waiter: (() => void) | undefined;
      let wait = new Promise<'woken' | 'timeout' | 'aborted'>((resolve) => { waiter = () => resolve('woken'); });
      this.#waiter = waiter;
      if (timeoutMs !== undefined) wait = withDeadline(wait, timeoutMs, () => 'timeout' as const);
      if (signal !== undefined) wait = untilAborted(wait, signal, () => 'aborted' as const);
      const why = await wait;
      if (why === 'woken') continue;
      if (this.#waiter === waiter) this.#waiter = undefined;
      return { kind: why };
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const next = await this.next();
      if (next.kind !== 'item') return;
      yield next.item;
    }
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }
}
