import { AgiHangupError } from './errors.ts';

/**
 * Resolve with `work`, or reject with the hangup reason as soon as `hangup` aborts, whichever
 * comes first: nothing waits for a reply that may never come once the call is gone.
 */
export function untilHangup<T>(work: Promise<T>, hangup: AbortSignal): Promise<T> {
  if (hangup.aborted) {
    work.catch(() => {});
    return Promise.reject(hangupReason(hangup));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(hangupReason(hangup));
    hangup.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => { hangup.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { hangup.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}

function hangupReason(signal: AbortSignal): AgiHangupError {
  return signal.reason instanceof AgiHangupError ? signal.reason : new AgiHangupError('closed');
}
