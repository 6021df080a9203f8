/**
 * Waits bounded by a time or by an abort signal. The work itself is never cancelled: only the wait
 * for it ends. What the wait ends with is the caller's choice: the fallback's return value
 * resolves, a throw from it rejects.
 */

/**
 * Settle like `work`, unless `ms` pass first: then settle with `onTimeout()`. The timer is
 * cleared as soon as `work` settles.
 *
 * @example withDeadline(pending, 500, () => 'gap' as const) // IteratorResult<T> | 'gap'
 * @example withDeadline(reply, 500, () => { throw new Error('no reply within 500 ms'); })
 */
export function withDeadline<T, U = never>(work: Promise<T>, ms: number, onTimeout: () => U): Promise<T | U> {
  return new Promise<T | U>((resolve, reject) => {
    const timer = setTimeout(() => settleWith(onTimeout, resolve, reject), ms);
    work.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error); },
    );
  });
}

/**
 * Settle like `work`, unless `signal` aborts first (or already has): then settle with
 * `onAbort(signal)`. A later rejection of `work` is handled, never reported as unhandled.
 *
 * @example untilAborted(agi.answer(), hangup, (signal) => { throw signal.reason; })
 */
export function untilAborted<T, U = never>(work: Promise<T>, signal: AbortSignal, onAbort: (signal: AbortSignal) => U): Promise<T | U> {
  return new Promise<T | U>((resolve, reject) => {
    const abort = () => settleWith(() => onAbort(signal), resolve, reject);
    if (signal.aborted) {
      work.catch(() => {});
      abort();
      return;
    }
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => { signal.removeEventListener('abort', abort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', abort); reject(error); },
    );
  });
}

function settleWith<U>(fallback: () => U, resolve: (value: U) => void, reject: (error: unknown) => void): void {
  try {
    resolve(fallback());
  } catch (error) {
    reject(error);
  }
}
