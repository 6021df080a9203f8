import type { Readable, Writable } from 'node:stream';
import { Fd3Error } from '../audio/errors.ts';
import { Fd3Reader, type EagiAudioFormat } from '../audio/fd3-reader.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import { Agi } from './agi.ts';
import { AgiChannel } from './channel.ts';
import type { AgiEnv } from './env.ts';
import { AgiError, AgiHangupError } from './errors.ts';

/** Something that reports SIGHUP (src/runtime/hangup-signal.ts in production). */
export interface HangupSource {
  subscribe(listener: (signal: 'SIGHUP' | 'SIGTERM' | 'SIGINT') => void): () => void;
}

export interface AgiSessionOptions {
  input: Readable;
  output: Writable;
  /** fd number of the caller audio (3), a stream, or null for plain AGI without audio. */
  audio: number | Readable | null;
  hangupSource?: HangupSource | undefined;
  logger?: Logger;
  /** Audio format; `auto` (default) asks Asterisk with GET VARIABLE EAGI_AUDIO_FORMAT. */
  audioFormat?: EagiAudioFormat | 'auto';
  envTimeoutMs?: number;
  maxLineBytes?: number;
  /** Reply deadline margin (AgiChannelOptions.replyTimeoutMs). */
  replyTimeoutMs?: number | undefined;
}

export interface AgiSession {
  env: AgiEnv;
  agi: Agi;
  channel: AgiChannel;
  /** Caller audio frames; undefined when there is no fd 3 (then `audioError` says why). */
  audio: Fd3Reader | undefined;
  audioError: AgiError | undefined;
  /** Aborted once on hangup, whatever the source; reason is an AgiHangupError. */
  hangup: AbortSignal;
  /** Release stdin, fd 3 and the SIGHUP subscription so the process can exit. */
  close(): void;
}

/**
 * Bootstrap one EAGI call: read the env block (it arrives at once), start reading fd 3 (the pipe
 * holds ~4 s, nothing is lost meanwhile), learn the audio format, and wire every hangup source (SIGHUP,
 * stdin EOF, fd 3 EOF, EPIPE, 511, result=-1) into one signal. Throws a typed AgiError when the env
 * block is unusable; the caller logs it and exits cleanly.
 */
export async function openAgiSession(options: AgiSessionOptions): Promise<AgiSession> {
  const logger = options.logger ?? silentLogger;
  const format = options.audioFormat === 'auto' ? undefined : options.audioFormat;
  let opened: { channel: AgiChannel; env: AgiEnv };
  try {
    opened = await AgiChannel.open({
      input: options.input, output: options.output, logger,
      envTimeoutMs: options.envTimeoutMs, maxLineBytes: options.maxLineBytes, replyTimeoutMs: options.replyTimeoutMs,
    });
  } catch (error) {
    options.input.destroy();
    throw error;
  }
  const { channel, env } = opened;
  // Only EAGI passes fd 3. Without it, fd 3 is one of Node's own descriptors (its epoll fd):
  // trust the env block's agi_enhanced, then check the fd really is a pipe.
  let audio: Fd3Reader | undefined;
  let audioError: AgiError | undefined;
  try {
    if (typeof options.audio === 'number') {
      if (!env.enhanced) throw new AgiError('FD3_UNAVAILABLE', 'started by AGI(), which gives no caller audio: use EAGI(voicebot) in the dialplan');
      audio = Fd3Reader.open(options.audio, { logger, format });
    } else if (options.audio !== null) {
      audio = new Fd3Reader(options.audio, { logger, format });
    }
  } catch (error) {
    audioError = toAudioError(error);
    logger.error('AGI', 'no caller audio', { code: audioError.code, error: audioError.message });
  }
  const agi = new Agi(channel);
  const unsubscribe = options.hangupSource?.subscribe((signal) => channel.markHangup(signal === 'SIGHUP' ? 'sighup' : 'terminated', signal)) ?? (() => {});
  const onAudioEof = () => channel.markHangup('fd3-eof');
  audio?.eofSignal.addEventListener('abort', onAudioEof, { once: true });
  logger.info('AGI', 'session started', {
    channel: env.channel, uniqueId: env.uniqueId, enhanced: env.enhanced, args: env.args.join(','),
  });

  const session: AgiSession = {
    env, agi, channel, audio, audioError, hangup: channel.hangupSignal,
    close() {
      unsubscribe();
      audio?.eofSignal.removeEventListener('abort', onAudioEof);
      audio?.close();
      channel.close();
    },
  };

  if (audio !== undefined && (options.audioFormat === undefined || options.audioFormat === 'auto')) {
    try {
      const format = await agi.getVariable('EAGI_AUDIO_FORMAT');
      audio.setFormat(format === 'slin16' ? 'slin16' : 'slin');
      if (format !== undefined && format !== '' && format !== 'slin' && format !== 'slin16') {
        logger.warn('AGI', 'unsupported EAGI_AUDIO_FORMAT, assuming slin', { format });
      }
    } catch (error) {
      audio.setFormat('slin');
      if (!(error instanceof AgiHangupError)) {
        session.close();
        throw error;
      }
    }
  }
  return session;
}

/** Any failure to open fd 3 as the session's typed error; an Fd3Error keeps its code and message. */
function toAudioError(error: unknown): AgiError {
  if (error instanceof AgiError) return error;
  if (error instanceof Fd3Error) return new AgiError(error.code, error.message, { cause: error });
  return new AgiError('FD3_UNAVAILABLE', String(error), { cause: error });
}
