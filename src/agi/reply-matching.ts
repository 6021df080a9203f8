import type { Pending } from './pending.ts';
import type { AgiReply } from './reply.ts';

/**
 * Match one well-formed reply to the oldest written command (`inFlight[0]`, removed) and settle it.
 * When that command was interrupted by a marker (`GET FULL VARIABLE "<nonce>"`, answered with
 * `200 result=1 (<nonce>)`): a reply carrying the nonce means the interrupted command sent none
 * (the marker is consumed too); any other reply is the command's own (it finished just before the
 * interrupt). Replies to markers settle nothing. Returns the command the reply was matched to,
 * undefined when none was outstanding.
 *
 * A marker's reply is unmistakable, so it also resynchronises the FIFO: when it names a marker
 * behind the head, every command written before that marker lost its reply (Asterisk answers in
 * order), and those commands settle as interrupted instead of taking later replies.
 */
export function settleReply(inFlight: Pending[], reply: AgiReply, nowMs: number): Pending | undefined {
  const markerAt = reply.kind === 'success' && reply.data !== undefined ? inFlight.findIndex((p) => p.nonce !== undefined && p.nonce === reply.data) : -1;
  if (markerAt >= 1) {
    const skipped = inFlight.splice(0, markerAt + 1);
    for (const pending of skipped) {
      if (pending.nonce === undefined) pending.settle({ reply: undefined, interrupted: true, elapsedMs: nowMs - pending.writtenAtMs });
    }
    return skipped[0];
  }
  const head = inFlight.shift();
  if (head === undefined) return undefined;
  if (head.nonce === undefined) {
    const answeredInterrupt = head.interruptRequested && head.spec.interrupt === 'answers'
      && reply.kind === 'success' && reply.resultNumber === 1;
    head.settle({ reply, interrupted: answeredInterrupt, elapsedMs: nowMs - head.writtenAtMs });
  }
  return head;
}
