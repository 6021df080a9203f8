/**
 * Fundamental frequency per frame by normalised autocorrelation (60-400 Hz), for the one prosody
 * cue turn taking uses: a finished statement or question ends with the pitch falling below the
 * speaker's running median, a pause inside a sentence does not.
 */
const MIN_F0_HZ = 60;
const MAX_F0_HZ = 400;
const ANALYSIS_MS = 40;
/** Normalised autocorrelation needed to call a frame voiced. */
const VOICED_CORRELATION = 0.55;

export class PitchTracker {
  readonly #rateHz: number;
  readonly #history: Float32Array;
  readonly #minLag: number;
  readonly #maxLag: number;
  readonly #step: number;

  constructor(sampleRateHz: number) {
    this.#rateHz = sampleRateHz;
    this.#history = new Float32Array(Math.round((ANALYSIS_MS * sampleRateHz) / 1000));
    // Above 8 kHz every other sample is enough for the 60-400 Hz range.
    this.#step = sampleRateHz > 8000 ? Math.round(sampleRateHz / 8000) : 1;
    this.#minLag = Math.floor(sampleRateHz / MAX_F0_HZ);
    this.#maxLag = Math.ceil(sampleRateHz / MIN_F0_HZ);
  }

  /** Adds a frame; returns the F0 (Hz) of the last 40 ms, or undefined when unvoiced. */
  push(samples: Int16Array): number | undefined {
    const history = this.#history;
    const n = Math.min(samples.length, history.length);
    history.copyWithin(0, n);
    for (let i = 0; i < n; i += 1) history[history.length - n + i] = (samples[samples.length - n + i] ?? 0) / 32768;
    return this.#estimate();
  }

  #estimate(): number | undefined {
    const x = this.#history;
    const step = this.#step;
    const length = x.length - this.#maxLag;
    if (length <= 0) return undefined;
    let energy0 = 0;
    for (let i = 0; i < length; i += step) energy0 += (x[i] ?? 0) ** 2;
    if (energy0 < 1e-6 * (length / step)) return undefined; // quieter than about -60 dBFS
    let bestLag = 0;
    let best = 0;
    for (let lag = this.#minLag; lag <= this.#maxLag; lag += step) {
      let cross = 0;
      let energyLag = 0;
      for (let i = 0; i < length; i += step) {
        const a = x[i] ?? 0;
        const b = x[i + lag] ?? 0;
        cross += a * b;
        energyLag += b * b;
      }
      const score = cross / Math.sqrt(energy0 * energyLag + 1e-12);
      if (score > best) { best = score; bestLag = lag; }
    }
    return best >= VOICED_CORRELATION && bestLag > 0 ? this.#rateHz / bestLag : undefined;
  }
}
