import type { AgiSession } from '../../agi/session.ts';
import type { Logger } from '../../log.ts';
import { growPipe } from '../../runtime/pipe-size.ts';
import type { CallLine } from '../line.ts';
import { agiCallChannel } from './channel.ts';

/** Seconds of caller audio the fd 3 pipe holds once grown (Asterisk's default pipe holds ~4 s of slin, 2 s of slin16). */
const CALLER_AUDIO_PIPE_MS = 8000;

/** An EAGI call (one process per call) as a CallLine. */
export function agiCallLine(session: AgiSession): CallLine {
  return {
    identity: session.env,
    hangup: session.hangup,
    audio: session.audio,
    audioError: session.audioError,
    channel: (listenSound) => agiCallChannel(session.agi, session.hangup, listenSound),
    greeted: (log) => growCallerAudioPipe(session.audio, log),
  };
}

/**
 * Once its greeting is out a call grows its fd 3 pipe, so that other calls' starts (or its own
 * wait for a load lane) starving it of CPU for seconds delay its audio instead of losing it.
 * Not before: loading koffi for the fcntl would delay the greeting.
 */
function growCallerAudioPipe(audio: AgiSession['audio'], log: Logger): void {
  if (audio?.pipeFd === undefined) return;
  const bytes = (CALLER_AUDIO_PIPE_MS * audio.frameBytes) / 20;
  const grown = growPipe(audio.pipeFd, bytes);
  if (grown.kind === 'failed') log.warn('AGI', 'fd 3 pipe not grown: Asterisk drops caller audio after ~4 s without a read', { error: grown.reason });
  else log.debug('AGI', 'fd 3 pipe size', { bytes: grown.bytes, ...(grown.kind === 'grown' ? { fromBytes: grown.fromBytes } : {}) });
}
