import type { Pending } from './pending.ts';
import type { AgiReply } from './reply.ts';

/**
 * Match one well-formed reply to the oldest written command (`inFlight[0]`, removed) and settle it.
 * When that command was interrupted by a marker (`GET FULL VARIABLE "<nonce>"`, answered with
 * `200 result=1 (<nonce>)`): a reply carrying the nonce means the interrupted command sent none
 * (the marker is consumed too); any other reply is the command's own (it finished just before the
 * interrupt). Replies to markers settle nothing. Returns the command the reply was matched to,
 * undefined when none was outstanding.
 */
export function settleReply(inFlight: Pending[], reply: AgiReply, nowMs: number): Pending | undefined {
  const head = inFlight.shift();
  if (head === undefined) return undefined;
  const second = inFlight[0];
  if (head.interruptRequested && head.spec.interrupt === 'silent' && second?.nonce !== undefined) {
    if (reply.kind === 'success' && reply.data === second.nonce) {
      inFlight.shift();
      head.settle({ reply: undefined, interrupted: true, elapsedMs: nowMs - head.writtenAtMs });
    } else {
      head.settle({ reply, interrupted: false, elapsedMs: nowMs - head.writtenAtMs });
    }
  } else if (head.nonce === undefined) {
    const answeredInterrupt = head.interruptRequested && head.spec.interrupt === 'answers'
      && reply.kind === 'success' && reply.resultNumber === 1;
    head.settle({ reply, interrupted: answeredInterrupt, elapsedMs: nowMs - head.writtenAtMs });
  }
  return head;
}
