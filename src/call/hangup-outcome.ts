import type { CallOutcome } from './ports.ts';

/**
 * The outcome of a call that ended because the channel did (`CallChannel.hangup` aborted), from
 * the abort reason's `hangupCause`: the caller hanging up, or an end of our own that the call log
 * and the dialplan must tell apart (SIGTERM/SIGINT, a reply Asterisk never sent, the wall-clock limit).
 */
export function hangupOutcome(reason: unknown): CallOutcome {
  const cause = reason !== null && typeof reason === 'object' && 'hangupCause' in reason ? String(reason.hangupCause) : '';
  switch (cause) {
    case 'terminated': return { action: 'handoff', status: 'ERROR', endReason: 'terminated' };
    case 'reply-timeout': return { action: 'handoff', status: 'ERROR', endReason: 'agi_timeout' };
    case 'call-limit': return { action: 'hangup', status: 'OK', endReason: 'max_call_seconds' };
    default: return { action: 'none', status: 'CALLER_HANGUP', endReason: 'caller_hangup' };
  }
}
