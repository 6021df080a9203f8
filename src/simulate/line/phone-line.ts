import { muLawRoundTrip } from '../../audio/g711.ts';
import { mixInto } from '../../audio/noise.ts';
import { LineEchoPath } from './line-echo.ts';
import { lineNoiseStream } from './line-noise.ts';
import type { PhoneLineOptions } from './line-options.ts';

const FRAME_MS = 20;

/**
 * The line between the caller and the fake Asterisk: turns the caller's frame n into what fd 3
 * carries as frame n (noise, echo of the playback, G.711 mu-law) or into nothing (a gap). Frames
 * must be asked for in order, every one, also those not sent, so noise keeps its place in time.
 */
export class PhoneLine {
  readonly #noise: ((count: number) => Int16Array)[];
  readonly #echo: LineEchoPath | undefined;
  readonly #muLaw: boolean;
  readonly #gapFrames: readonly { from: number; to: number }[];
  readonly #frameSamples: number;

  constructor(options: PhoneLineOptions, rateHz: number) {
    this.#frameSamples = (rateHz * FRAME_MS) / 1000;
    this.#noise = (options.noise ?? []).map((noise) => lineNoiseStream(noise, rateHz));
    this.#echo = options.echo === undefined ? undefined : new LineEchoPath(options.echo, rateHz);
    this.#muLaw = options.muLaw === true || options.echo !== undefined;
    this.#gapFrames = (options.gaps ?? []).map((gap) => ({
      from: Math.round(gap.atMs / FRAME_MS),
      to: Math.round((gap.atMs + gap.durationMs) / FRAME_MS),
    }));
  }

  /** See `LineEchoPath.playbackStarted`; without echo, nothing happens. */
  playbackStarted(startMs: number, samples: Int16Array, sampleRateHz: number): (playedSamples: number) => void {
    return this.#echo?.playbackStarted(startMs, samples, sampleRateHz) ?? (() => {});
  }

  /**
   * What fd 3 carries as frame `index` when the caller side sends `caller` (undefined: the caller
   * side sends nothing, as a silent Local leg). Undefined means no bytes at all.
   */
  frame(index: number, caller: Int16Array | undefined): Int16Array | undefined {
    const noise = this.#noise.map((next) => next(this.#frameSamples));
    if (caller === undefined || this.#gapFrames.some((gap) => index >= gap.from && index < gap.to)) return undefined;
    const out = caller.slice();
    for (const part of noise) mixInto(out, part, 0, 0);
    this.#echo?.mixInto(out, index * this.#frameSamples);
    return this.#muLaw ? muLawRoundTrip(out) : out;
  }
}
