import { readFile } from 'node:fs/promises';
import { resample } from '../audio/resample.ts';
import type { CallChannel, PlayResult } from '../call/ports.ts';
import { errorCode, errorMessage, VoicebotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { untilAborted } from '../runtime/deadline.ts';
import type { MediaSocket } from './media.ts';
import type { AriRest } from './rest.ts';
import { FORMAT_RATE_HZ, type SoundFormat } from '../tts/render.ts';

export interface AriCallChannelOptions {
  media: MediaSocket;
  rest: AriRest;
  /** The caller's channel (in Stasis), not the external media channel. */
  channelId: string;
  /** Aborted at the call's end, whatever the cause. */
  hangup: AbortSignal;
  log: Logger;
}

/** Deadline of a SET VARIABLE after the hangup (the dialplan's `h` extension may read it). */
const DEAD_CHANNEL_REPLY_MS = 500;
/** Raw slin files the TTS writes beside the path `play` gets, best rate first. */
const SOUND_FILES: readonly [extension: SoundFormat, sampleRateHz: number][] = [['sln16', FORMAT_RATE_HZ.sln16], ['sln', FORMAT_RATE_HZ.sln]];

/**
 * The CallChannel port over ARI: REST for answer and variables, the media socket for playback
 * and keys. Every wait also ends at hangup: `waitForKey` resolves undefined, the others reject
 * with the hangup's reason (`setVariable` is still tried once, briefly, for the `h` extension).
 */
export function ariCallChannel(options: AriCallChannelOptions): CallChannel {
  const { media, rest, channelId, hangup, log } = options;
  return {
    hangup,
    answer: () => untilHangup(rest.answer(channelId), hangup),
    play: (file, playOptions) => untilHangup(playFile(media, file, playOptions, hangup), hangup),
    async waitForKey(waitOptions) {
      const signal = waitOptions.signal === undefined ? hangup : AbortSignal.any([waitOptions.signal, hangup]);
      // No listening sound is needed over ARI: keys arrive on the media socket whatever plays.
      return hangup.aborted ? undefined : await media.nextKey({ signal });
    },
    async setVariable(name, value) {
      if (!hangup.aborted) {
        await untilHangup(rest.setVariable(channelId, name, value), hangup);
        return;
      }
      try {
        await rest.setVariable(channelId, name, value, { timeoutMs: DEAD_CHANNEL_REPLY_MS });
      } catch (error) {
        // Gone (404) or out of Stasis (409) after the hangup: nobody is left to read it.
        const code = errorCode(error);
        if (code !== 'ARI_NOT_FOUND' && code !== 'ARI_CONFLICT') throw error;
        log.debug('ARI', 'variable not set: the channel is gone', { name, code });
      }
    },
    // ARI has no console VERBOSE: the line goes to our log.
    verbose: async (message) => { log.info('CALL', message); },
  };
}

async function playFile(media: MediaSocket, file: string, options: { escapeDigits: string; signal?: AbortSignal }, hangup: AbortSignal): Promise<PlayResult> {
  const startedAtMs = performance.now();
  const sound = await readSound(file);
  if (sound === undefined) {
    return { digit: undefined, endposSamples: 0, elapsedMs: performance.now() - startedAtMs, interrupted: false, failed: true };
  }
  const samples = sound.sampleRateHz === media.sampleRateHz ? sound.samples : resample(sound.samples, sound.sampleRateHz, media.sampleRateHz);
  const byKey = new AbortController();
  const stopKeys = new AbortController();
  let digit: string | undefined;
  const keys = watchEscapeDigits(media, options.escapeDigits, AbortSignal.any([stopKeys.signal, hangup]), (key) => {
    digit = key;
    byKey.abort();
  });
  const signals = [byKey.signal, hangup, ...(options.signal === undefined ? [] : [options.signal])];
  try {
    const result = await media.play(samples, { signal: AbortSignal.any(signals) });
    return {
      digit,
      endposSamples: Math.round((Math.min(result.playedMs, sound.durationMs) * sound.sampleRateHz) / 1000),
      elapsedMs: performance.now() - startedAtMs,
      interrupted: digit === undefined && options.signal?.aborted === true,
      failed: false,
    };
  } finally {
    stopKeys.abort();
    await keys;
  }
}

/** Takes keys until one is an escape digit (others are dropped, as STREAM FILE does) or `signal` ends it. */
async function watchEscapeDigits(media: MediaSocket, escapeDigits: string, signal: AbortSignal, onEscape: (digit: string) => void): Promise<void> {
  if (escapeDigits === '') return;
  while (!signal.aborted) {
    const key = await media.nextKey({ signal });
    if (key === undefined) return;
    if (escapeDigits.includes(key)) {
      onEscape(key);
      return;
    }
  }
}

/** `<file>.sln16` or `<file>.sln`, whichever exists; undefined when neither can be read. */
async function readSound(file: string): Promise<{ samples: Int16Array; sampleRateHz: number; durationMs: number } | undefined> {
  for (const [extension, sampleRateHz] of SOUND_FILES) {
    let bytes: Buffer;
    try {
      bytes = await readFile(`${file}.${extension}`);
    } catch {
      continue;
    }
    const samples = new Int16Array(bytes.length >> 1);
    for (let i = 0; i < samples.length; i += 1) samples[i] = bytes.readInt16LE(i * 2);
    return { samples, sampleRateHz, durationMs: (samples.length * 1000) / sampleRateHz };
  }
  return undefined;
}

function untilHangup<T>(work: Promise<T>, hangup: AbortSignal): Promise<T> {
  return untilAborted(work, hangup, (signal) => { throw hangupReason(signal); });
}

function hangupReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new VoicebotError('CALL_HANGUP', `the call has ended (${errorMessage(signal.reason)})`);
}
