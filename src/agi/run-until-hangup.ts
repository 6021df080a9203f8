import { untilAborted } from '../runtime/deadline.ts';
import { AgiHangupError } from './errors.ts';

/**
 * Resolve with `work`, or reject with the hangup reason as soon as `hangup` aborts, whichever
 * comes first: nothing waits for a reply that may never come once the call is gone.
 */
export function untilHangup<T>(work: Promise<T>, hangup: AbortSignal): Promise<T> {
  return untilAborted(work, hangup, (signal) => { throw hangupReason(signal); });
}

function hangupReason(signal: AbortSignal): AgiHangupError {
  return signal.reason instanceof AgiHangupError ? signal.reason : new AgiHangupError('closed');
}
