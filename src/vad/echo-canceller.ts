import { EchoPathFilter } from './echo-filter.ts';

/**
 * Removes the bot's own voice from the caller stream using what the bot played as a reference.
 *
 * On a phone line the played audio comes back delayed (20-300 ms) and 6-30 dB quieter, through
 * G.711. The echo path is found by cross-correlating the caller stream with the reference (coarse
 * on a decimated signal, then sample-exact), its gain by least squares, and the predicted echo is
 * subtracted. Estimates are taken only when the correlation is high, i.e. when the echo dominates:
 * a caller talking over the bot lowers the correlation and freezes the estimate (double talk), so
 * their speech stays in the residual while the echo leaves it.
 */
export interface EchoCancellerOptions {
  sampleRateHz: number;
  /** Longest echo delay searched (line echo plus the fd 3 backlog). */
  maxDelayMs?: number;
  /** Correlation needed to accept an estimate. */
  minCorrelation?: number;
}

/** What the canceller knows about the frame it just processed. */
export interface EchoFrameInfo {
  /** Reference audio was played within the searched delay range: echo may be present. */
  referenceActive: boolean;
  /** An echo path has been measured on this call. */
  locked: boolean;
  /** The echo path has been measured since the current stretch of playback began (each playback can shift it a little). */
  confirmed: boolean;
  /** Loudest 20 ms reference level within the delay range, dBFS: bounds the echo before a lock. */
  referencePeakDbfs: number;
}

const ANALYSIS_MS = 160;
const ESTIMATE_EVERY_MS = 60;
/** Once locked, a new estimate searches this far around the known delay (playback start jitter). */
const TRACK_RANGE_MS = 80;
const SILENT_REFERENCE = 1e-3; // RMS of a float signal, about -60 dBFS
/** The echo path's shape: 8 ms of taps (at 8 kHz), 2 ms of them before the bulk delay. */
const FILTER_MS = 8;
const FILTER_PRE_MS = 2;
/**
 * Geigel double-talk rule: caller audio louder than this fraction of the loudest recent reference
 * cannot be echo alone (the echo is at least 6 dB down), so the filter does not learn from it.
 */
const DOUBLE_TALK_RATIO = 0.7;
/** Echo removed (caller power over residual power, dB) before a playback's residual is trusted. */
const CONFIRM_ERLE_DB = 10;
/** Reference silence this long before new audio makes a new stretch of playback, whose alignment is checked again. */
const NEW_PLAYBACK_GAP_MS = 100;
/** Estimates in a row that find no echo (low correlation, caller far quieter) before the line counts as echo-free. */
const NO_ECHO_ESTIMATES = 8;

export class EchoCanceller {
  readonly #rateHz: number;
  readonly #maxDelay: number;
  readonly #minCorrelation: number;
  readonly #analysis: number;
  readonly #estimateEvery: number;
  readonly #decimation: number;
  /** Linear histories, newest sample last. */
  readonly #caller: Float32Array;
  readonly #reference: Float32Array;
  #sinceEstimate = 0;
  #delay = 0;
  #gain = 0;
  #locked = false;
  #noEchoEstimates = 0;
  #confirmed = false;
  /** The echo path has been measured since the current stretch of playback began. */
  #pathFound = false;
  /** Echo return loss enhancement of the last frame the filter learnt on, dB. */
  #erleDb = 0;
  #referenceSilentSamples = Number.POSITIVE_INFINITY;
  readonly #filter: EchoPathFilter;
  /** RMS level (dBFS) of each reference frame, newest last, covering the delay range. */
  readonly #referenceLevels: number[] = [];
  #info: EchoFrameInfo = { referenceActive: false, locked: false, confirmed: false, referencePeakDbfs: Number.NEGATIVE_INFINITY };

  constructor(options: EchoCancellerOptions) {
    this.#rateHz = options.sampleRateHz;
    this.#maxDelay = Math.round(((options.maxDelayMs ?? 500) * this.#rateHz) / 1000);
    this.#minCorrelation = options.minCorrelation ?? 0.6;
    this.#analysis = Math.round((ANALYSIS_MS * this.#rateHz) / 1000);
    this.#estimateEvery = Math.round((ESTIMATE_EVERY_MS * this.#rateHz) / 1000);
    this.#decimation = Math.max(1, Math.round(this.#rateHz / 2000));
    this.#filter = new EchoPathFilter({
      taps: Math.round((FILTER_MS * this.#rateHz) / 1000), pre: Math.round((FILTER_PRE_MS * this.#rateHz) / 1000), stepSize: 0.5,
    });
    const length = this.#maxDelay + this.#analysis + this.#filter.span.after;
    this.#caller = new Float32Array(length);
    this.#reference = new Float32Array(length);
  }

  get info(): EchoFrameInfo { return this.#info; }
  get delayMs(): number { return (this.#delay * 1000) / this.#rateHz; }
  get gain(): number { return this.#gain; }

  /** One frame of caller audio and the reference played at the same instant (undefined: nothing). */
  process(caller: Int16Array, reference: Int16Array | undefined): Int16Array {
    const n = caller.length;
    const playing = reference !== undefined && reference.some((sample) => sample !== 0);
    if (playing && this.#referenceSilentSamples >= (NEW_PLAYBACK_GAP_MS * this.#rateHz) / 1000) {
      this.#confirmed = false;
      this.#pathFound = false;
      this.#noEchoEstimates = 0;
    }
    this.#referenceSilentSamples = playing ? 0 : this.#referenceSilentSamples + n;
    this.#push(this.#caller, caller);
    this.#push(this.#reference, reference, n);
    const end = this.#caller.length;
    this.#referenceLevels.push(10 * Math.log10(this.#meanSquare(this.#reference, end - n, end) + 1e-12));
    while (this.#referenceLevels.length > Math.ceil((this.#maxDelay + n) / Math.max(1, n))) this.#referenceLevels.shift();
    const peakDbfs = Math.max(...this.#referenceLevels);
    const active = peakDbfs > 20 * Math.log10(SILENT_REFERENCE);
    this.#sinceEstimate += n;
    if (active && this.#sinceEstimate >= this.#estimateEvery) {
      this.#sinceEstimate = 0;
      this.#estimate();
    }
    this.#info = { referenceActive: active, locked: this.#locked, confirmed: this.#confirmed, referencePeakDbfs: peakDbfs };
    if (!active || !this.#locked || this.#gain === 0) return caller;
    const adapt = !this.#doubleTalk(end - n, end);
    const out = new Int16Array(n);
    let callerPower = 0;
    let residualPower = 0;
    for (let i = 0; i < n; i += 1) {
      const residual = this.#filter.residual(this.#caller, this.#reference, end - n + i, adapt);
      callerPower += (this.#caller[end - n + i] ?? 0) ** 2;
      residualPower += residual * residual;
      const value = Math.round(residual * 32768);
      out[i] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
    }
    if (adapt && callerPower > 1e-7) this.#erleDb = 10 * Math.log10(callerPower / (residualPower + 1e-12));
    // The path is measured, but the residual counts only once the filter removes the echo well.
    if (adapt && this.#pathFound && this.#erleDb >= CONFIRM_ERLE_DB) this.#confirmed = true;
    return out;
  }

  /** Caller audio in [from, to) too loud to be the echo of what was played (Geigel). */
  #doubleTalk(from: number, to: number): boolean {
    let callerPeak = 0;
    for (let i = from; i < to; i += 1) callerPeak = Math.max(callerPeak, Math.abs(this.#caller[i] ?? 0));
    const { before, after } = this.#filter.span;
    let referencePeak = 0;
    for (let i = from - this.#delay - after; i < to - this.#delay + before; i += 1) referencePeak = Math.max(referencePeak, Math.abs(this.#reference[i] ?? 0));
    return callerPeak > DOUBLE_TALK_RATIO * referencePeak;
  }

  #push(history: Float32Array, samples: Int16Array | undefined, length = samples?.length ?? 0): void {
    history.copyWithin(0, length);
    const offset = history.length - length;
    for (let i = 0; i < length; i += 1) history[offset + i] = (samples?.[i] ?? 0) / 32768;
  }

  #meanSquare(signal: Float32Array, from: number, to: number): number {
    let sum = 0;
    for (let i = Math.max(0, from); i < to; i += 1) sum += (signal[i] ?? 0) ** 2;
    return sum / Math.max(1, to - from);
  }

  /** Finds the delay with the highest normalised correlation; accepts it when the echo dominates. */
  #estimate(): void {
    const end = this.#caller.length;
    const start = end - this.#analysis;
    const low = this.#locked ? Math.max(0, this.#delay - Math.round((TRACK_RANGE_MS * this.#rateHz) / 1000)) : 0;
    const high = this.#locked ? Math.min(this.#maxDelay, this.#delay + Math.round((TRACK_RANGE_MS * this.#rateHz) / 1000)) : this.#maxDelay;
    const step = this.#decimation;
    let best = low;
    let bestScore = -1;
    for (let lag = low; lag <= high; lag += step) {
      const score = Math.abs(this.#correlation(start, end, lag, step));
      if (score > bestScore) { bestScore = score; best = lag; }
    }
    let refined = best;
    let refinedScore = -1;
    for (let lag = Math.max(0, best - step); lag <= Math.min(this.#maxDelay, best + step); lag += 1) {
      const score = Math.abs(this.#correlation(start, end, lag, 1));
      if (score > refinedScore) { refinedScore = score; refined = lag; }
    }
    if (refinedScore < this.#minCorrelation) {
      // Caller audio that stays uncorrelated with the reference: no echo above the line's noise
      // (or the caller talks over the bot from the start, and then the residual is theirs anyway).
      this.#noEchoEstimates = refinedScore < 0.3 ? this.#noEchoEstimates + 1 : 0;
      if (this.#noEchoEstimates >= NO_ECHO_ESTIMATES) {
        if (!this.#locked) { this.#locked = true; this.#gain = 0; }
        this.#confirmed = true;
      }
      return;
    }
    this.#noEchoEstimates = 0;
    let cross = 0;
    let energy = 0;
    for (let i = start; i < end; i += 1) {
      const ref = this.#reference[i - refined] ?? 0;
      cross += (this.#caller[i] ?? 0) * ref;
      energy += ref * ref;
    }
    if (energy <= 0) return;
    this.#delay = refined;
    this.#gain = cross / energy;
    // A new alignment (the next playback, a changed path) starts the shape again, unless the filter
    // already removes the echo well (a ringing path moves the correlation peak); a small shift is learnt.
    if (this.#filter.delay < 0 || (Math.abs(this.#filter.delay - refined) > this.#filter.span.before && this.#erleDb < CONFIRM_ERLE_DB)) {
      this.#filter.reset(refined, this.#gain);
    }
    this.#locked = true;
    this.#pathFound = true;
  }

  /** Normalised correlation of caller[start, end) with the reference `lag` samples earlier, every `step` samples. */
  #correlation(start: number, end: number, lag: number, step: number): number {
    let cross = 0;
    let callerEnergy = 0;
    let refEnergy = 0;
    for (let i = start; i < end; i += step) {
      const c = this.#caller[i] ?? 0;
      const r = this.#reference[i - lag] ?? 0;
      cross += c * r;
      callerEnergy += c * c;
      refEnergy += r * r;
    }
    const norm = Math.sqrt(callerEnergy * refEnergy);
    return norm === 0 ? 0 : cross / norm;
  }
}
