/** AGISIGHUP / AGIEXITONHANGUP as set in the dialplan before EAGI(); unset = Asterisk's default. */
export interface HangupMode {
  /** AGISIGHUP: send SIGHUP on hangup (default yes). */
  sighup: boolean;
  /** AGIEXITONHANGUP: close stdin/stdout/fd 3 right after the hangup (default no). */
  exitOnHangup: boolean;
}

export const HANGUP_MODES = {
  default: { sighup: true, exitOnHangup: false },
  nosighup: { sighup: false, exitOnHangup: false },
  exit: { sighup: true, exitOnHangup: true },
  both: { sighup: false, exitOnHangup: true },
} as const satisfies Record<string, HangupMode>;

/** The program as the hangup sees it. */
export interface HangupTarget {
  pid: number | undefined;
  exited: boolean;
  /** Close stdin, fd 3 and stdout, in that order. */
  closePipes(): void;
  event(kind: string, fields?: Record<string, unknown>): void;
}

/** What Asterisk does to the program when the channel hangs up, per `mode`. */
export function deliverHangup(mode: HangupMode, cause: string, target: HangupTarget): void {
  if (mode.exitOnHangup) {
    target.closePipes();
    target.event('pipes_closed', { cause });
  }
  if (mode.sighup && target.pid !== undefined && !target.exited) {
    try {
      process.kill(target.pid, 'SIGHUP');
      target.event('signal', { sig: 'SIGHUP' });
    } catch { /* already gone */ }
  }
}

/** Channel variables the dialplan sets for `mode` (none for the default). */
export function hangupModeVariables(mode: HangupMode): Record<string, string> {
  const variables: Record<string, string> = {};
  if (mode.sighup === false) variables['AGISIGHUP'] = 'no';
  if (mode.exitOnHangup) variables['AGIEXITONHANGUP'] = 'yes';
  return variables;
}
