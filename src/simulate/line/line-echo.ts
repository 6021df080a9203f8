import { mixInto } from '../../audio/noise.ts';
import { resampleLinear } from '../asterisk/sounds.ts';
import type { LineEcho } from './line-options.ts';

interface EchoSource {
  /** fd 3 sample index (call clock, channel rate) where the echo of the first played sample lands. */
  at: number;
  samples: Int16Array;
  /** How many samples were played: all of them until the playback reports where it stopped. */
  played: number;
}

/**
 * Line echo of the bot's playback: each played sample comes back `delayMs` later and `lossDb`
 * quieter, placed by sample index on the call clock (call time t ↔ fd 3 sample t·rate). When a
 * playback stops early, only what was played echoes; the tail already in flight still arrives.
 */
export class LineEchoPath {
  readonly #echo: LineEcho;
  readonly #rateHz: number;
  #sources: EchoSource[] = [];

  constructor(echo: LineEcho, rateHz: number) {
    this.#echo = echo;
    this.#rateHz = rateHz;
  }

  /**
   * A playback of `samples` (at `sampleRateHz`) started at call time `startMs`. Returns what to call
   * with the number of those samples actually played when it ends, however it ends.
   */
  playbackStarted(startMs: number, samples: Int16Array, sampleRateHz: number): (playedSamples: number) => void {
    const source: EchoSource = {
      at: Math.round(((startMs + this.#echo.delayMs) * this.#rateHz) / 1000),
      samples: resampleLinear(samples, sampleRateHz, this.#rateHz),
      played: Number.POSITIVE_INFINITY,
    };
    this.#sources.push(source);
    return (playedSamples) => {
      source.played = Math.round((playedSamples * this.#rateHz) / sampleRateHz);
    };
  }

  /** Add the echo that lands in `frame`, whose first sample is fd 3 sample `first`. */
  mixInto(frame: Int16Array, first: number): void {
    for (const source of this.#sources) {
      const end = Math.min(source.played, source.samples.length);
      const from = Math.max(0, first - source.at);
      const to = Math.min(end, first + frame.length - source.at);
      if (to <= from) continue;
      mixInto(frame, source.samples.subarray(from, to), source.at + from - first, -this.#echo.lossDb);
    }
    this.#sources = this.#sources.filter((source) => source.at + Math.min(source.played, source.samples.length) > first + frame.length);
  }
}
