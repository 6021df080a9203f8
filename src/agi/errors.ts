import { VoicebotError } from '../errors.ts';

/** Why the call is over. Every source of hangup maps to exactly one of these. */
export type HangupCause =
  | 'sighup'
  | 'stdin-eof'
  | 'fd3-eof'
  | 'epipe'
  | 'dead-channel'
  | 'result-minus-one'
  | 'hangup-command'
  /** Asterisk did not reply to a command within its deadline. */
  | 'reply-timeout'
  /** SIGTERM or SIGINT (systemctl stop, Ctrl-C): the channel may still be up. */
  | 'terminated'
  /** max_call_seconds plus its grace passed: the call ends whatever is pending. */
  | 'call-limit'
  | 'closed';

/** Causes where voicebot ends the call while the channel itself is still up. */
export const ENDS_OF_OUR_OWN: ReadonlySet<HangupCause> = new Set(['terminated', 'call-limit']);

/**
 * A protocol-level failure of the AGI conversation. Stable codes:
 * - `AGI_INVALID_COMMAND` (510), `AGI_USAGE` (520): Asterisk refused a command (a 511 is a hangup).
 * - `AGI_MALFORMED_REPLY`: a reply line we cannot parse (never treated as hangup silently).
 * - `AGI_LINE_TOO_LONG`: a line from Asterisk beyond the framing limit.
 * - `AGI_ENV_INCOMPLETE`, `AGI_ENV_TIMEOUT`, `AGI_ENV_MALFORMED`: the agi_ block at start is unusable.
 * - `AGI_BAD_ARGUMENT`: a command we were asked to send contains CR or LF.
 * - `AGI_CHANNEL_CLOSED`: the channel was closed by us.
 * - `FD3_UNAVAILABLE`: fd 3 is not open (plain AGI instead of EAGI, or closed by the parent); from
 *   the audio reader's `Fd3Error` or the env block.
 */
export class AgiError extends VoicebotError {
  /** The exact reply lines that caused the error, when there were any. */
  readonly replyLines: readonly string[];

  constructor(code: string, message: string, options: { replyLines?: readonly string[]; cause?: unknown } = {}) {
    super(code, message, { cause: options.cause });
    this.name = 'AgiError';
    this.replyLines = options.replyLines ?? [];
  }
}

/** The call is over (caller hung up, Asterisk closed the pipes, ...). Not retryable. */
export class AgiHangupError extends VoicebotError {
  readonly hangupCause: HangupCause;

  constructor(hangupCause: HangupCause, detail = '') {
    super('AGI_HANGUP', `call hung up (${hangupCause})${detail === '' ? '' : `: ${detail}`}`);
    this.name = 'AgiHangupError';
    this.hangupCause = hangupCause;
  }
}
