import type { AgiChannel } from '../agi/channel.ts';

/**
 * Time after max_call_seconds left for the goodbye the session says at the limit; after it the
 * call ends whatever is pending (a reply Asterisk never sends, a stuck engine).
 */
export const CALL_LIMIT_GRACE_MS = 5000;

/**
 * The wall-clock limit of one call, counted from the process start: ends the channel with cause
 * `call-limit` (end_reason max_call_seconds). Returns a function that disarms it.
 */
export function armCallLimit(channel: AgiChannel, maxCallSeconds: number, startedAtMs: number): () => void {
  const leftMs = Math.max(0, startedAtMs + maxCallSeconds * 1000 + CALL_LIMIT_GRACE_MS - Date.now());
  const timer = setTimeout(() => channel.markHangup('call-limit', `max_call_seconds = ${maxCallSeconds} passed`), leftMs);
  return () => clearTimeout(timer);
}
