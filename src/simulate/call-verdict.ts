import type { FakeCallResult } from './fake-asterisk.ts';

/** Whether a simulated call served the caller, and why not. */
export interface CallVerdict {
  ok: boolean;
  /** VOICEBOT_STATUS as the program last set it (undefined: never set, e.g. after AGIEXITONHANGUP). */
  status: string | undefined;
  /** One line per reason, for stderr. */
  reasons: string[];
}

/** Statuses that mean the call was refused or failed (a handoff to the dialplan's fallback). */
const FAILED_STATUS = /^(ERROR|[A-Z]+_FAILED)$/;

/**
 * Judges a simulated call from what the fake Asterisk saw and the program's log: a clean exit, no
 * process left behind, and no refusing or failing VOICEBOT_STATUS. The reasons are the log's
 * ERROR lines (they name the fix), or the facts when the log has none.
 */
export function judgeCall(result: FakeCallResult, logText: string): CallVerdict {
  const status = lastStatus(result);
  const reasons: string[] = [];
  if (result.killed) reasons.push('voicebot did not exit in time and was killed');
  else if (result.exitCode !== 0) reasons.push(`voicebot exited with code ${String(result.exitCode)}${result.exitSignal === null ? '' : ` (signal ${result.exitSignal})`}`);
  if (result.leftoverPids.length > 0) reasons.push(`processes left behind: ${result.leftoverPids.join(', ')}`);
  const failed = status !== undefined && FAILED_STATUS.test(status);
  if (failed) reasons.push(`VOICEBOT_STATUS=${status}: the call was ${status === 'ERROR' ? 'refused or failed' : 'handed back to the dialplan after a failure'}`);
  if (reasons.length > 0) {
    for (const line of logText.split('\n')) {
      if (/^\S+ ERROR /.test(line)) reasons.push(line.replace(/^\S+ ERROR /, ''));
    }
  }
  return { ok: reasons.length === 0, status, reasons };
}

function lastStatus(result: FakeCallResult): string | undefined {
  let status: string | undefined;
  for (const command of result.commands) {
    const match = /^SET VARIABLE VOICEBOT_STATUS "?([^"]*)"?$/.exec(command.cmd);
    if (match !== null && command.reply[0]?.startsWith('200') === true) status = match[1];
  }
  return status;
}
