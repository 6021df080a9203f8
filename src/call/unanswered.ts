import type { AgiSession } from '../agi/session.ts';
import type { Config } from '../config/keys/index.ts';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import { pathProblem } from '../runtime/path-check.ts';
import type { CallEnd } from '../store/types.ts';
import type { CallIdentity } from './line.ts';
import { unansweredVariables, type UnansweredOutcome } from './status.ts';
import { withDeadline } from '../runtime/deadline.ts';

/** How long one status or console line may wait for Asterisk before the call moves on. */
const REPLY_WAIT_MS = 500;

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  return withDeadline(work, timeoutMs, () => { throw new Error(`no reply within ${timeoutMs} ms`); });
}
/** Console lines per refused call, each cut to this length: the console is for a glance, the log has the rest. */
const MAX_CONSOLE_LINES = 3;
const MAX_CONSOLE_CHARS = 400;

/** A call that ends before ANSWER, as the call log records it (any transport). */
export interface RefusedCall {
  identity: CallIdentity;
  /** The settings in force (the [general] ones when the profile itself is unknown); undefined: none loaded. */
  config: Config | undefined;
  profile: string | undefined;
  startedAtMs: number;
  log: Logger;
}

/** An EAGI call that ends before ANSWER: refused by a setup check, or hung up / terminated while starting. */
export interface UnansweredCall extends RefusedCall {
  session: AgiSession;
}

/**
 * Tell Asterisk why the call is not answered: each problem as a VERBOSE line on the console (works
 * before ANSWER and on a hung-up channel), then VOICEBOT_STATUS / VOICEBOT_ACTION for the dialplan.
 * Every command is bounded, so a silent Asterisk cannot hold the process.
 */
export async function reportUnanswered(call: UnansweredCall, outcome: Pick<UnansweredOutcome, 'status' | 'action'>, problems: readonly string[]): Promise<void> {
  const { session, log } = call;
  if (!session.channel.writable) return;
  try {
    for (const problem of problems.slice(0, MAX_CONSOLE_LINES)) {
      await withTimeout(session.agi.verbose(`voicebot: not answering: ${problem.slice(0, MAX_CONSOLE_CHARS)}`, 1), REPLY_WAIT_MS);
    }
    for (const [name, value] of unansweredVariables(outcome)) await withTimeout(session.agi.setVariable(name, value), REPLY_WAIT_MS);
  } catch (error) {
    log.warn('CALL', 'could not report the unanswered call to Asterisk', { error: errorMessage(error) });
  }
}

/** The call's row in the call log (closed at once, the problems as events), whenever the DB can be opened. */
export async function recordUnanswered(call: RefusedCall, end: CallEnd, problems: readonly string[]): Promise<void> {
  const { config, log } = call;
  if (config === undefined) return;
  const unfit = pathProblem(config.db_path, { kind: 'file', mayBeMissing: true });
  if (unfit !== undefined) {
    log.error('DB', 'not recording the unanswered call: db_path is unusable', { error: unfit });
    return;
  }
  // Dynamic: only a call that ends unanswered opens the store here (an answered call gets it
  // through compose.ts), so the store modules stay off the path to the AGI session.
  const { callStoreFromConfig } = await import('../store/call-store.ts');
  const store = callStoreFromConfig(config, log);
  const env = call.identity;
  const callId = store.openCall({
    uniqueid: env.uniqueId, channel: env.channel, callerNumber: env.callerId, callerName: env.callerIdName,
    dnid: env.dnid, context: env.context, extension: env.extension, profile: call.profile, startedAtMs: call.startedAtMs,
  });
  for (const problem of problems) store.addEvent(callId, 'error', problem);
  store.closeCall(callId, end);
  await store.close(config.db_flush_timeout_ms);
}
