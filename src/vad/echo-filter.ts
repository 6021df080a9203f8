/**
 * The shape of the echo path around its bulk delay: a short FIR adapted by normalised LMS. A line
 * echo is not a clean copy: the 2-wire hybrid rings for a few ms, so one delayed, scaled copy of
 * the reference leaves most of the echo in place. The filter starts as that copy and learns the
 * rest while the bot speaks alone (double talk freezes it).
 */
export class EchoPathFilter {
  readonly #taps: Float64Array;
  /** Taps before the bulk delay (the strongest reflection need not be the first). */
  readonly #pre: number;
  readonly #stepSize: number;
  #delay = -1;

  constructor(options: { taps: number; pre: number; stepSize: number }) {
    this.#taps = new Float64Array(options.taps);
    this.#pre = options.pre;
    this.#stepSize = options.stepSize;
  }

  get delay(): number { return this.#delay; }
  /** The span of reference samples, relative to the bulk delay, that the filter reads. */
  get span(): { before: number; after: number } { return { before: this.#pre, after: this.#taps.length - this.#pre }; }

  /** Starts again as a single tap `gain` at `delay` samples. */
  reset(delay: number, gain: number): void {
    this.#taps.fill(0);
    this.#taps[this.#pre] = gain;
    this.#delay = delay;
  }

  /** The residual of caller[index] (echo removed); adapts the taps on it when `adapt`. */
  residual(caller: Float32Array, reference: Float32Array, index: number, adapt: boolean): number {
    const taps = this.#taps;
    const first = index - this.#delay + this.#pre;
    let echo = 0;
    let power = 0;
    for (let t = 0; t < taps.length; t += 1) {
      const ref = reference[first - t] ?? 0;
      echo += (taps[t] ?? 0) * ref;
      power += ref * ref;
    }
    const error = (caller[index] ?? 0) - echo;
    if (adapt && power > 1e-6) {
      const step = (this.#stepSize * error) / (power + 1e-6);
      for (let t = 0; t < taps.length; t += 1) taps[t] = (taps[t] ?? 0) + step * (reference[first - t] ?? 0);
    }
    return error;
  }
}
