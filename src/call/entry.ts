import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openAgiSession, type AgiSession } from '../agi/session.ts';
import type { Config, KeyName } from '../config/keys/index.ts';
import { generalKeys } from '../config/keys/general.ts';
import { loadConfig, type ValueSource } from '../config/load.ts';
import type { HttpToolSpec } from '../tools/types.ts';
import { errorCode, errorMessage } from '../errors.ts';
import { Logger } from '../log.ts';
import { hangupSignal } from '../runtime/hangup-signal.ts';
import { armCallLimit } from './call-limit.ts';
import { acquireCallSlot } from './call-slots.ts';
import { hangupOutcome } from './hangup-outcome.ts';
import { recordUnanswered, reportUnanswered, type UnansweredCall } from './unanswered.ts';
import { preflight } from './preflight.ts';
import { BUSY_OUTCOME, REFUSED_OUTCOME } from './status.ts';

export interface CallEntryOptions {
  /** Profile from EAGI(voicebot,<profile>); undefined = [general] only. */
  profile: string | undefined;
  configPath: string | undefined;
  env: NodeJS.ProcessEnv;
}

/**
 * Entry point of one call (one process per call, started by Asterisk). Ends the process with exit
 * code 0 on every hangup cause and every handled failure, so the dialplan goes on and reads
 * VOICEBOT_STATUS; only a bug in voicebot itself gives another code.
 */
export async function runCallEntry(options: CallEntryOptions): Promise<number> {
  const startedAtMs = Date.now();
  let config: Config | undefined;
  let configFile = options.configPath ?? 'voicebot.conf';
  let configError: unknown;
  let sources: Record<KeyName, ValueSource> | undefined;
  let fallbackConfig: Config | undefined;
  let tools: HttpToolSpec[] = [];
  try {
    const loaded = loadConfig({ path: options.configPath, env: options.env });
    configFile = loaded.file;
    fallbackConfig = loaded.resolve();
    config = loaded.resolve(options.profile);
    sources = loaded.sources(options.profile);
    tools = loaded.toolsFor(options.profile);
  } catch (error) {
    configError = error;
    process.stderr.write(`voicebot: ${errorMessage(error)}\n`);
    if (fallbackConfig === undefined) {
      // Dynamic: only a config that does not load needs the salvage reader.
      const { salvageConfig } = await import('../config/salvage.ts');
      fallbackConfig = salvageConfig(options.configPath, options.env);
    }
  }
  const logger = makeLogger(config ?? fallbackConfig, options.env);
  let exitCode = 0;
  try {
    exitCode = await runCall(logger, { config, configFile, configError, sources, profile: options.profile, startedAtMs, fallbackConfig, tools });
    return exitCode;
  } catch (error) {
    logger.error('CALL', 'internal error', { code: errorCode(error), error: error instanceof Error ? error.stack ?? error.message : String(error) });
    exitCode = 70;
    return exitCode;
  } finally {
    logger.close();
    // End with process.exit(), never by letting the loop drain: during a natural exit Node restores
    // SIGHUP's default action, and Asterisk's SIGHUP (sent at the hangup, maybe while we are
    // already finishing) would then kill the process (exit by signal instead of 0). Measured: a
    // SIGHUP flood kills 30/30 naturally-exiting processes and 0/30 that call process.exit().
    setImmediate(() => process.exit(exitCode));
  }
}

interface CallSetup {
  /** The profile's HTTP tools ([tool:NAME] sections its `tools` key names). */
  tools: HttpToolSpec[];
  config: Config | undefined;
  configFile: string;
  configError: unknown;
  sources: Record<KeyName, ValueSource> | undefined;
  profile: string | undefined;
  startedAtMs: number;
  /** [general] alone, when the profile's own settings did not resolve (an unknown profile): where to log and record the refusal. */
  fallbackConfig?: Config | undefined;
}

async function runCall(logger: Logger, setup: CallSetup): Promise<number> {
  let session: AgiSession;
  try {
    session = await openAgiSession({
      input: process.stdin, output: process.stdout, audio: 3, hangupSource: hangupSignal, logger,
      replyTimeoutMs: (setup.config ?? setup.fallbackConfig)?.agi_reply_timeout_ms,
    });
  } catch (error) {
    logger.error('AGI', 'cannot start the AGI session', { code: errorCode(error), error: errorMessage(error) });
    process.stdin.destroy();
    return 0;
  }
  const log = logger.withCallId(session.env.uniqueId || 'unknown');
  const disarmLimit = armCallLimit(session.channel, setup.config?.max_call_seconds ?? 600, setup.startedAtMs);
  const unanswered: UnansweredCall = { session, identity: session.env, config: setup.config ?? setup.fallbackConfig, profile: setup.profile, startedAtMs: setup.startedAtMs, log };
  try {
    if (session.hangup.aborted && setup.config !== undefined) {
      // Gone (or terminated) while starting: nothing to check or prepare, only the status and the row.
      const outcome = hangupOutcome(session.hangup.reason);
      log.info('CALL', 'call ended before ANSWER', { reason: outcome.endReason });
      await reportUnanswered(unanswered, outcome, []);
      await recordUnanswered(unanswered, { endReason: outcome.endReason, status: outcome.status }, []);
      return 0;
    }
    if (setup.config !== undefined && !await admitted(setup.config, unanswered)) return 0;
    const problems = setupProblems(setup, session);
    if (problems.length > 0 || setup.config === undefined) {
      await refuse(unanswered, problems);
      return 0;
    }
    // Dynamic: every stage (STT, TTS, LLM, store, the call session) is evaluated only for a call
    // that passed the setup checks, after the AGI session is open and fd 3 is being drained; a
    // refused call sets VOICEBOT_STATUS without loading any of them.
    const [{ runConversation }, { agiCallLine }] = await Promise.all([import('./compose.ts'), import('./adapters/agi-line.ts')]);
    try {
      await runConversation({ line: agiCallLine(session), config: setup.config, configFile: setup.configFile, profile: setup.profile, log, startedAtMs: setup.startedAtMs, tools: setup.tools });
    } catch (error) {
      if (errorCode(error) !== 'SETUP_FAILED') throw error;
      log.error('CALL', 'not answering: setup error', { error: errorMessage(error) });
      await reportUnanswered(unanswered, REFUSED_OUTCOME, [errorMessage(error)]);
    }
    return 0;
  } finally {
    disarmLimit();
    const cpu = process.cpuUsage();
    log.info('CALL', 'process done', {
      fd3Bytes: session.audio?.stats.bytes, fd3Overruns: session.audio?.stats.overruns, fd3Dropped: session.audio?.stats.droppedFrames,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    });
    session.close();
  }
}


/**
 * max_concurrent_calls: take a host-wide slot, or leave the call unanswered with
 * VOICEBOT_STATUS=BUSY (before any check or model load, so it costs the box almost nothing).
 * The slot is held until the process exits.
 */
async function admitted(config: Config, call: UnansweredCall): Promise<boolean> {
  if (config.max_concurrent_calls <= 0) return true;
  const result = await acquireCallSlot({ scope: config.db_path, limit: config.max_concurrent_calls });
  if (result.kind === 'acquired') {
    call.log.debug('CALL', 'call slot taken', { slot: result.slot.index, limit: config.max_concurrent_calls });
    return true;
  }
  if (result.kind === 'unavailable') {
    call.log.warn('CALL', 'max_concurrent_calls cannot be enforced here; answering', { error: result.reason });
    return true;
  }
  const problem = `all ${config.max_concurrent_calls} call slots are in use (max_concurrent_calls)`;
  call.log.warn('CALL', 'not answering: busy', { error: problem });
  await reportUnanswered(call, BUSY_OUTCOME, []);
  await recordUnanswered(call, BUSY_OUTCOME, []);
  return false;
}

/** Leave the call unanswered; the admin sees why on the console, in the log and in the call log. */
async function refuse(call: UnansweredCall, problems: readonly string[]): Promise<void> {
  for (const problem of problems) call.log.error('CALL', 'not answering: setup error', { error: problem });
  await reportUnanswered(call, REFUSED_OUTCOME, problems);
  await recordUnanswered(call, REFUSED_OUTCOME, problems);
}

function setupProblems(setup: CallSetup, session: AgiSession): string[] {
  if (setup.configError !== undefined) return [errorMessage(setup.configError)];
  if (setup.config === undefined) return ['no configuration'];
  if (session.audioError !== undefined) return [`${session.audioError.code}: ${session.audioError.message}. Fix: run voicebot with EAGI(), not AGI()`];
  return preflight(setup.config, setup.configFile, setup.sources);
}

const DEFAULT_LOG_FILE = generalKeys.log_file.default;

/**
 * Asterisk does not show an AGI's stderr, so a config that does not load is still logged to a file:
 * VOICEBOT_LOG_FILE, else the default log file when its folder exists (make install creates it).
 * A log_file that cannot take lines (a folder, a device, a full disk) falls back to
 * voicebot-fallback.log beside the call log.
 */
function makeLogger(config: Config | undefined, env: NodeJS.ProcessEnv): Logger {
  const stderr = config === undefined ? true : config.log_stderr === 'yes' || (config.log_stderr === 'auto' && process.stderr.isTTY === true);
  const fallbackFile = env['VOICEBOT_LOG_FILE'] || (existsSync(dirname(DEFAULT_LOG_FILE)) ? DEFAULT_LOG_FILE : undefined);
  return new Logger({
    filePath: config?.log_file ?? fallbackFile,
    fallbackFilePath: config === undefined ? undefined : join(dirname(config.db_path), 'voicebot-fallback.log'),
    stderr,
    level: config?.log_level ?? 'info',
    redactTranscripts: config?.redact_transcripts ?? false,
  });
}
