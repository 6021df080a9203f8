/**
 * A single-consumer async queue: producers `push` and `end`; the consumer iterates. `next(timeoutMs)`
 * lets the consumer do something else (say a filler phrase) when an item is slow to come.
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

  /** The next item, `done` when ended and drained, or `timeout` when `timeoutMs` passed first. */
  async next(timeoutMs?: number): Promise<{ kind: 'item'; item: T } | { kind: 'done' } | { kind: 'timeout' }> {
    for (;;) {
      if (this.#items.length > 0) return { kind: 'item', item: this.#items.shift() as T };
      if (this.#ended) return { kind: 'done' };
      const timedOut = await new Promise<boolean>((resolve) => {
        const timer = timeoutMs === undefined ? undefined : setTimeout(() => { this.#waiter = undefined; resolve(true); }, timeoutMs);
        this.#waiter = () => {
          if (timer !== undefined) clearTimeout(timer);
          resolve(false);
        };
      });
      if (timedOut) return { kind: 'timeout' };
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
