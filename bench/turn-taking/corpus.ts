/**
 * The shape of one turn-taking case and the line it plays on. A case keeps the caller side before
 * echo and G.711 (`base`), what the bot plays (`bot`, sample-aligned to the caller stream) and the
 * echo path; the line (what fd 3 carries) is base + delayed, attenuated echo of what the bot actually
 * played, through a mu-law round trip. So when the bot stops (barge-in), its echo stops too.
 */
import { muLawRoundTrip } from '../../src/audio/g711.ts';
import { dbToGain } from '../../src/audio/noise.ts';
import { RATE_HZ } from './voices.ts';

export const FRAME_SAMPLES = 160;

export interface Span { startSample: number; endSample: number }

/** What the bot plays from `startSample` on (a reply or the greeting), at the level it is sent. */
export interface BotSegment { startSample: number; samples: Int16Array }

/** One stretch of caller speech; segments with the same `turn` are one caller turn. */
export interface SpeechSegment extends Span { turn: number }

export interface GroundTruth {
  speech: SpeechSegment[];
  /** Where each finished sentence ends (one past its last loud sample). */
  sentenceEnds: number[];
  /** Onsets of real interruptions: caller speech that starts while the bot plays. */
  interruptions: number[];
  /** Silences inserted inside one sentence. */
  pauses: Span[];
}

export interface Expectation {
  /** A barge-in must happen (within 1 s of each interruption) or must not happen at all. */
  bargeIn: boolean;
  /** Caller turns (speech-start ... speech-end) the case should give. */
  turns: number;
}

/**
 * Line echo: the bot's own samples, `delaySamples` later and `lossDb` quieter, in the caller stream;
 * with `impulse`, also smeared by that impulse response (a 2-wire hybrid's dispersion).
 */
export interface EchoPath { delaySamples: number; lossDb: number; impulse?: Float64Array }

export interface BenchCase {
  id: string;
  group: string;
  /** Voices, levels, offsets: what makes this case differ from its neighbours. */
  detail: string;
  base: Int16Array;
  bot: BotSegment[];
  echo?: EchoPath;
  truth: GroundTruth;
  expect: Expectation;
  /** The labelled SNR of a noisy case (speech RMS vs noise RMS over the speech), dB. */
  snrDb?: number;
  /** Speech and noise alone (linear, before G.711), kept only when asked, for checks. */
  parts?: { speech: Int16Array; noise: Int16Array };
}

export function msToSamples(ms: number): number {
  return Math.round((ms * RATE_HZ) / 1000);
}

export function samplesToMs(samples: number): number {
  return (samples * 1000) / RATE_HZ;
}

/** The bot sample playing at stream sample `index`, or undefined when the bot is silent there. */
function botSampleAt(bot: readonly BotSegment[], index: number): number | undefined {
  for (const segment of bot) {
    const offset = index - segment.startSample;
    if (offset >= 0 && offset < segment.samples.length) return segment.samples[offset];
  }
  return undefined;
}

/**
 * `count` samples of the line from `start`: base + echo of what the bot played before `playedUntil`
 * (the bot stops there), saturated and passed through G.711 mu-law.
 */
export function lineSamples(c: BenchCase, start: number, count: number, playedUntil = Number.POSITIVE_INFINITY): Int16Array {
  const out = new Int16Array(count);
  const gain = c.echo === undefined ? 0 : dbToGain(-c.echo.lossDb);
  const delay = c.echo?.delaySamples ?? 0;
  const impulse = c.echo?.impulse ?? Float64Array.of(1);
  for (let i = 0; i < count; i += 1) {
    const index = start + i;
    let value = c.base[index] ?? 0;
    if (c.echo !== undefined) {
      for (let k = 0; k < impulse.length; k += 1) {
        const played = index - delay - k;
        if (played < playedUntil) value += gain * (impulse[k] ?? 0) * (botSampleAt(c.bot, played) ?? 0);
      }
    }
    const rounded = Math.round(value);
    out[i] = rounded > 32767 ? 32767 : rounded < -32768 ? -32768 : rounded;
  }
  return muLawRoundTrip(out);
}

/** The whole caller stream (what fd 3 would carry) when the bot plays to the end. */
export function callerStream(c: BenchCase): Int16Array {
  return lineSamples(c, 0, c.base.length);
}

/** What the bot plays during [start, start + count) before `playedUntil`, or undefined when nothing. */
export function referenceSamples(c: BenchCase, start: number, count: number, playedUntil = Number.POSITIVE_INFINITY): Int16Array | undefined {
  let out: Int16Array | undefined;
  for (let i = 0; i < count; i += 1) {
    const index = start + i;
    if (index >= playedUntil) break;
    const value = botSampleAt(c.bot, index);
    if (value === undefined) continue;
    out ??= new Int16Array(count);
    out[i] = value;
  }
  return out;
}

/** Seconds of caller audio in the case. */
export function caseSeconds(c: BenchCase): number {
  return c.base.length / RATE_HZ;
}
