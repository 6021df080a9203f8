/**
 * The one vocabulary of how a call ended, for both transports: what the dialplan reads
 * (VOICEBOT_STATUS, VOICEBOT_ACTION, VOICEBOT_TRANSFER_TO) and what the call log's status column holds.
 */

/** VOICEBOT_STATUS. */
export type CallStatus = 'OK' | 'TRANSFER' | 'LLM_FAILED' | 'STT_FAILED' | 'TTS_FAILED' | 'ERROR' | 'CALLER_HANGUP' | 'BUSY';

/** VOICEBOT_ACTION: what the dialplan should do next (none: the caller is gone). */
export type CallAction = 'hangup' | 'transfer' | 'handoff' | 'none';

/** A call that ends before ANSWER: what the dialplan is told and the call log records. */
export interface UnansweredOutcome {
  status: CallStatus;
  action: CallAction;
  endReason: 'busy' | 'setup_error';
}

/** Every call slot taken (max_concurrent_calls). */
export const BUSY_OUTCOME: UnansweredOutcome = { status: 'BUSY', action: 'handoff', endReason: 'busy' };
/** A setup check failed (config, models, fd 3, an unknown profile). */
export const REFUSED_OUTCOME: UnansweredOutcome = { status: 'ERROR', action: 'handoff', endReason: 'setup_error' };

/** The variables of an answered call's end, in the order they are set. */
export function dialplanVariables(outcome: { action: CallAction; status: CallStatus; transferTo?: string | undefined }): [string, string][] {
  return [['VOICEBOT_ACTION', outcome.action], ['VOICEBOT_STATUS', outcome.status], ['VOICEBOT_TRANSFER_TO', outcome.transferTo ?? '']];
}

/** The variables of a call never answered: the status first, since the dialplan branches on it. */
export function unansweredVariables(outcome: Pick<UnansweredOutcome, 'status' | 'action'>): [string, string][] {
  return [['VOICEBOT_STATUS', outcome.status], ['VOICEBOT_ACTION', outcome.action]];
}
