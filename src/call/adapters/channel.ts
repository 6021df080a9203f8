import type { Agi } from '../../agi/agi.ts';
import { AgiError } from '../../agi/errors.ts';
import { untilHangup } from '../../agi/run-until-hangup.ts';
import { withDeadline } from '../../runtime/deadline.ts';
import { soundFileMs } from './sound-file-ms.ts';
import { ALL_KEYS, LISTEN_SOUND_SECONDS } from '../listen-sound.ts';
import type { CallChannel, PlayResult } from '../ports.ts';

/**
 * Asterisk reads AGI commands in chunks: an interrupter that arrives in the same read as the
 * command it interrupts is not seen until more bytes come, so the command runs to its end (the
 * listening sound for its whole length). An abort right after a command was sent (an utterance
 * already waiting when listening starts) is therefore passed on no sooner than this.
 */
export const MIN_INTERRUPT_AFTER_MS = 40;

/**
 * The CallChannel port over typed AGI commands; every wait also ends at hangup. `listenSound` gives
 * the silent sound (ensureListenSound) that waitForKey plays with every key as an escape digit; it
 * is asked for at the first listen, so writing it never delays ANSWER.
 */
export function agiCallChannel(agi: Agi, hangup: AbortSignal, listenSound: () => string): CallChannel {
  let sound: string | undefined;
  // If Asterisk cannot play the listening sound, WAIT FOR DIGIT keeps keys live instead (it works,
  // but Asterisk logs a WARNING at each interruption).
  let soundPlays = true;
  return {
    hangup,
    answer: () => untilHangup(agi.answer(), hangup),
    async play(file, options): Promise<PlayResult> {
      const startedAt = performance.now();
      const interrupt = deferredAbort(options.signal);
      try {
        const playbackMs = soundFileMs(file);
        const result = await untilHangup(agi.streamFile(file, { escapeDigits: options.escapeDigits, signal: interrupt.signal, playbackMs }), hangup);
        return {
          digit: result.digit, endposSamples: result.endposSamples, elapsedMs: performance.now() - startedAt,
          interrupted: result.interrupted, failed: false,
        };
      } catch (error) {
        if (error instanceof AgiError && error.code === 'AGI_PLAYBACK_FAILED') {
          return { digit: undefined, endposSamples: 0, elapsedMs: performance.now() - startedAt, interrupted: false, failed: true };
        }
        throw error;
      } finally {
        interrupt.dispose();
      }
    },
    async waitForKey(options) {
      const interrupt = deferredAbort(options.signal);
      try {
        if (soundPlays) {
          try {
            sound ??= listenSound();
          } catch {
            soundPlays = false; // the cache folder refused the file: listen with WAIT FOR DIGIT
          }
        }
        if (soundPlays && sound !== undefined) {
          try {
            const result = await untilHangup(agi.streamFile(sound, { escapeDigits: ALL_KEYS, signal: interrupt.signal }), hangup);
            return result.digit;
          } catch (error) {
            if (!(error instanceof AgiError && error.code === 'AGI_PLAYBACK_FAILED')) throw error;
            soundPlays = false;
          }
        }
        const result = await untilHangup(agi.waitForDigit(LISTEN_SOUND_SECONDS * 1000, { signal: interrupt.signal }), hangup);
        return result.digit;
      } finally {
        interrupt.dispose();
      }
    },
    // SET VARIABLE is dead-capable: after a hangup it is still sent (the h extension reads the
    // status), bounded in time in case Asterisk has stopped answering.
    setVariable: (name, value) => hangup.aborted
      ? withDeadline(agi.setVariable(name, value), DEAD_CHANNEL_REPLY_MS, () => {
        throw new Error(`no reply within ${DEAD_CHANNEL_REPLY_MS} ms after the hangup`);
      })
      : untilHangup(agi.setVariable(name, value), hangup),
    verbose: (message) => untilHangup(agi.verbose(message, 1), hangup),
  };
}

/** How long a dead-capable command after the hangup may wait for its reply. */
const DEAD_CHANNEL_REPLY_MS = 500;

/** `signal`, but an abort in the first MIN_INTERRUPT_AFTER_MS after now is held back until then. */
function deferredAbort(signal: AbortSignal | undefined): { signal: AbortSignal | undefined; dispose: () => void } {
  // Already aborted: the command is never written, so nothing can share its read.
  if (signal === undefined || signal.aborted) return { signal, dispose: () => {} };
  const deferred = new AbortController();
  const sentAtMs = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    const waitMs = MIN_INTERRUPT_AFTER_MS - (performance.now() - sentAtMs);
    if (waitMs <= 0) deferred.abort(signal.reason);
    else timer = setTimeout(() => deferred.abort(signal.reason), waitMs);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: deferred.signal,
    dispose: () => {
      signal.removeEventListener('abort', onAbort);
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
