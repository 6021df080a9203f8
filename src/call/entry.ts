import type { Config } from '../config/keys/index.ts';
import { errorCode, errorMessage } from '../errors.ts';
import { Logger } from '../log.ts';
import { hangupSignal } from '../runtime/hangup-signal.ts';

export interface CallEntryOptions {
  /** Profile from EAGI(voicebot,<profile>); undefined = [general] only. */
  profile: string | undefined;
  configPath: string | undefined;
  env: NodeJS.ProcessEnv;
}

/** Longest call the protocol-level loop keeps open. */
const MAX_CALL_MS = 4 * 60 * 60 * 1000;
/** Length of one WAIT FOR DIGIT slice: DTMF is only heard while a command is outstanding. */
const LISTEN_SLICE_MS = 5000;

/**
 * Entry point of one call (one process per call, started by Asterisk). Returns the exit code:
 * 0 on every hangup cause and every protocol error (logged), so Asterisk's dialplan goes on.
 * For now the call is protocol-level only: answer, then listen in WAIT FOR DIGIT slices until
 * hangup or MAX_CALL_MS, draining fd 3 all along.
 */
export async function runCallEntry(options: CallEntryOptions): Promise<number> {
  let config: Config | undefined;
  let configError: unknown;
  try {
    const { loadConfig } = await import('../config/load.ts');
    config = loadConfig({ path: options.configPath, env: options.env }).resolve(options.profile);
  } catch (error) {
    configError = error;
    process.stderr.write(`voicebot: ${errorMessage(error)}\n`);
  }
  const logger = makeLogger(config);
  let exitCode = 0;
  try {
    exitCode = await runSession(logger, configError);
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

async function runSession(logger: Logger, configError: unknown): Promise<number> {
  const { openAgiSession } = await import('../agi/session.ts');
  const { untilHangup } = await import('../agi/run-until-hangup.ts');
  const { isHangup } = await import('../agi/errors.ts');
  let session;
  try {
    session = await openAgiSession({ input: process.stdin, output: process.stdout, audio: 3, hangupSource: hangupSignal, logger });
  } catch (error) {
    logger.error('AGI', 'cannot start the AGI session', { code: errorCode(error), error: errorMessage(error) });
    process.stdin.destroy();
    return 0;
  }
  const log = logger.withCallId(session.env.uniqueId || 'unknown');
  const { agi, hangup } = session;
  const startedAt = performance.now();
  let reason = 'max-duration';
  const drained = drainAudio(session.audio, log);
  try {
    if (configError !== undefined || session.audioError !== undefined) {
      const error = configError ?? session.audioError;
      log.error('CALL', 'not answering: setup error', { code: errorCode(error), error: errorMessage(error) });
      reason = 'setup-error';
      await untilHangup(agi.setVariable('VOICEBOT_STATUS', 'ERROR'), hangup);
      return 0;
    }
    await untilHangup(agi.answer(), hangup);
    log.info('CALL', 'answered', { channel: session.env.channel, callerNumber: session.env.callerId });
    while (performance.now() - startedAt < MAX_CALL_MS) {
      const { digit } = await untilHangup(agi.waitForDigit(LISTEN_SLICE_MS), hangup);
      if (digit !== undefined) log.info('CALL', 'dtmf', { digit });
    }
    await untilHangup(agi.setVariable('VOICEBOT_STATUS', 'MAXDURATION'), hangup);
    await untilHangup(agi.hangup(), hangup);
    return 0;
  } catch (error) {
    if (isHangup(error)) {
      reason = `hangup:${error.hangupCause}`;
    } else {
      reason = `error:${errorCode(error)}`;
      log.error('CALL', 'call ended by an error', { code: errorCode(error), error: errorMessage(error) });
    }
    return 0;
  } finally {
    log.info('CALL', 'call ended', {
      reason, durationMs: Math.round(performance.now() - startedAt),
      fd3Bytes: session.audio?.stats.bytes, fd3Overruns: session.audio?.stats.overruns,
    });
    session.close();
    await drained;
  }
}

/** Consume caller audio so it never piles up; the conversation loop will replace this. */
async function drainAudio(audio: AsyncIterable<unknown> | undefined, logger: Logger): Promise<void> {
  if (audio === undefined) return;
  try {
    for await (const _frame of audio) { /* counted by the reader's stats */ }
  } catch (error) {
    logger.warn('AGI', 'fd 3 reader failed', { error: errorMessage(error) });
  }
}

function makeLogger(config: Config | undefined): Logger {
  const stderr = config === undefined ? true : config.log_stderr === 'yes' || (config.log_stderr === 'auto' && process.stderr.isTTY === true);
  return new Logger({
    filePath: config?.log_file,
    stderr,
    level: config?.log_level ?? 'info',
    redactTranscripts: config?.redact_transcripts ?? false,
  });
}
