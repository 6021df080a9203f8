import { VoicebotError } from '../errors.ts';

/** The AbortError thrown when a stage stops because its turn's signal fired. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new VoicebotError('ABORTED', 'the operation was aborted');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortError(signal);
}

/**
 * Iterate `source` until it ends or `signal` aborts. An abort wakes a pending `next()` at once
 * (the source may be waiting for fd 3), then the source is closed with `return()`.
 */
export async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  if (signal === undefined) {
    try {
      for (;;) {
        const step = await iterator.next();
        if (step.done === true) return;
        yield step.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      const step = await Promise.race([iterator.next(), aborted]);
      if (step.done === true) return;
      yield step.value;
      if (signal.aborted) throw abortError(signal);
    }
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    void iterator.return?.();
  }
}
