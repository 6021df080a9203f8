import type { Pending } from './pending.ts';

/** Longest playback assumed for a STREAM FILE whose duration the caller did not give. */
export const UNKNOWN_PLAYBACK_MS = 120_000;

/**
 * How long Asterisk may take to reply to `pending` before the channel counts as failed: the
 * command's own running time (STREAM FILE: the file's duration; WAIT FOR DIGIT: its timeout) plus
 * `marginMs`; every other command gets `marginMs`. WAIT FOR DIGIT -1 (forever) has no deadline of
 * its own: the call's wall-clock limit bounds it.
 */
export function replyDeadlineMs(pending: Pending, marginMs: number): number | undefined {
  const upper = pending.line.trimStart().toUpperCase();
  if (upper.startsWith('WAIT FOR DIGIT')) {
    const timeoutMs = Number(/^WAIT FOR DIGIT\s+(-?\d+)/.exec(upper)?.[1] ?? Number.NaN);
    if (!Number.isFinite(timeoutMs)) return marginMs;
    return timeoutMs < 0 ? undefined : timeoutMs + marginMs;
  }
  if (upper.startsWith('STREAM FILE') || upper.startsWith('GET OPTION') || upper.startsWith('GET DATA')) {
    return (pending.playbackMs ?? UNKNOWN_PLAYBACK_MS) + marginMs;
  }
  return marginMs;
}

/**
 * Start the reply deadline of a written command; `onExpire` runs when no reply came in time and
 * must ignore a command that was answered meanwhile. A process that was starved of CPU (or
 * stopped) wakes with its timers expired and the reply already waiting on stdin; timers run before
 * input is read, so the expiry waits one turn of the event loop (setImmediate runs after the read).
 */
export function armReplyDeadline(pending: Pending, marginMs: number, onExpire: (deadlineMs: number) => void): void {
  const deadlineMs = replyDeadlineMs(pending, marginMs);
  if (deadlineMs === undefined) return;
  clearTimeout(pending.deadlineTimer);
  pending.deadlineTimer = setTimeout(() => setImmediate(() => onExpire(deadlineMs)), deadlineMs);
  pending.deadlineTimer.unref();
}
