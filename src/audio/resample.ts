import { VoicebotError } from '../errors.ts';

/**
 * Band-limited sample-rate conversion by a Kaiser-windowed sinc (polyphase, exact rational ratio),
 * the same kind of filter Asterisk's Speex resampler uses. The low-pass sits just under the lower
 * Nyquist frequency, so 22.05 kHz or 16 kHz voices reach 8 kHz without aliasing, and upsampled
 * 8 kHz audio gains no images. Output sample n lies at input time n·from/to exactly (no delay).
 */
export interface ResamplerOptions {
  /** Cutoff as a fraction of the lower Nyquist frequency. */
  rolloff?: number;
  /** Sinc zero crossings on each side of the centre: longer = sharper and slower. */
  zeroCrossings?: number;
  /** Kaiser window beta: higher = deeper stop band, wider transition. */
  kaiserBeta?: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (series), for the Kaiser window. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k += 1) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

interface FilterBank { up: number; down: number; halfWidth: number; taps: Float64Array }

const bankCache = new Map<string, FilterBank>();

function filterBank(fromHz: number, toHz: number, options: ResamplerOptions): FilterBank {
  const rolloff = options.rolloff ?? 0.9;
  const zeroCrossings = options.zeroCrossings ?? 24;
  const beta = options.kaiserBeta ?? 9;
  const key = `${fromHz}:${toHz}:${rolloff}:${zeroCrossings}:${beta}`;
  const cached = bankCache.get(key);
  if (cached !== undefined) return cached;
  const divisor = gcd(fromHz, toHz);
  const up = toHz / divisor;
  const down = fromHz / divisor;
  // Cutoff in cycles per input sample.
  const cutoff = 0.5 * Math.min(1, toHz / fromHz) * rolloff;
  const halfWidth = Math.ceil(zeroCrossings / (2 * cutoff));
  const width = 2 * halfWidth;
  const taps = new Float64Array(up * width);
  const windowNorm = besselI0(beta);
  for (let phase = 0; phase < up; phase += 1) {
    const offset = phase / up;
    let sum = 0;
    for (let j = 0; j < width; j += 1) {
      const x = j - halfWidth + 1 - offset; // distance from the output instant, in input samples
      const ratio = x / halfWidth;
      const window = Math.abs(ratio) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - ratio * ratio)) / windowNorm;
      const arg = 2 * cutoff * x;
      const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
      const value = 2 * cutoff * sinc * window;
      taps[phase * width + j] = value;
      sum += value;
    }
    for (let j = 0; j < width; j += 1) taps[phase * width + j]! /= sum; // unity gain at DC
  }
  const bank = { up, down, halfWidth, taps };
  bankCache.set(key, bank);
  return bank;
}

/** Streaming resampler: feed chunks of any size, get every output sample whose input is known. */
export class Resampler {
  readonly fromHz: number;
  readonly toHz: number;
  readonly #bank: FilterBank;
  /** Input samples from absolute index `#bufferStart` on (zeros precede the stream); `#length` of them are valid. */
  #buffer: Float64Array;
  #length = 0;
  #bufferStart = 0;
  #inputCount = 0;
  #outputIndex = 0;

  constructor(fromHz: number, toHz: number, options: ResamplerOptions = {}) {
    for (const [name, rate] of [['fromHz', fromHz], ['toHz', toHz]] as const) {
      if (!Number.isInteger(rate) || rate <= 0) throw new VoicebotError('AUDIO_RATE', `resampler ${name} must be a positive whole number of Hz, got ${rate}`);
    }
    this.fromHz = fromHz;
    this.toHz = toHz;
    this.#bank = filterBank(fromHz, toHz, options);
    this.#buffer = new Float64Array(4 * this.#bank.halfWidth + 1024);
    this.#length = this.#bank.halfWidth;
    this.#bufferStart = -this.#bank.halfWidth;
  }

  /** Resample the next chunk; returns the output samples now computable (may be empty). */
  process(chunk: Int16Array): Int16Array {
    this.#append(chunk);
    this.#inputCount += chunk.length;
    return this.#emit(this.#inputCount);
  }

  /** End of stream: emit the remaining output (the tail sees zeros after the last input). */
  flush(): Int16Array {
    const total = this.#inputCount;
    this.#append(new Int16Array(this.#bank.halfWidth + 1));
    const end = Math.ceil((total * this.#bank.up) / this.#bank.down);
    const out = this.#emit(total + this.#bank.halfWidth + 1, end);
    return out;
  }

  // One buffer for the stream: a call resamples 50 frames a second, and a new array per frame
  // was most of the garbage a call made.
  #append(chunk: Int16Array): void {
    const needed = this.#length + chunk.length;
    if (needed > this.#buffer.length) {
      const grown = new Float64Array(Math.max(needed, 2 * this.#buffer.length));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    const buffer = this.#buffer;
    const offset = this.#length;
    for (let i = 0; i < chunk.length; i += 1) buffer[offset + i] = chunk[i]!;
    this.#length = needed;
  }

  #emit(available: number, limit = Number.POSITIVE_INFINITY): Int16Array {
    const { up, down, halfWidth, taps } = this.#bank;
    const width = 2 * halfWidth;
    // Output n needs input up to floor(n·down/up) + halfWidth: the last n whose input is known.
    const lastComputable = Math.ceil(((available - halfWidth) * up) / down) - 1;
    const end = Math.min(limit, lastComputable + 1);
    const count = Math.max(0, end - this.#outputIndex);
    const result = new Int16Array(count);
    const buffer = this.#buffer;
    for (let k = 0; k < count; k += 1) {
      const position = this.#outputIndex * down;
      const centre = Math.floor(position / up);
      const base = (position - centre * up) * width;
      const at = centre - halfWidth + 1 - this.#bufferStart;
      let acc = 0;
      for (let j = 0; j < width; j += 1) acc += buffer[at + j]! * taps[base + j]!;
      result[k] = Math.max(-32768, Math.min(32767, Math.round(acc)));
      this.#outputIndex += 1;
    }
    const keepFrom = Math.floor((this.#outputIndex * down) / up) - halfWidth + 1;
    const drop = keepFrom - this.#bufferStart;
    if (drop > 0) {
      buffer.copyWithin(0, drop, this.#length);
      this.#length -= drop;
      this.#bufferStart = keepFrom;
    }
    return result;
  }
}

/** Resample a whole signal; the output has round(length · to/from) samples, aligned with the input. */
export function resample(samples: Int16Array, fromHz: number, toHz: number, options: ResamplerOptions = {}): Int16Array {
  if (fromHz === toHz) return samples.slice();
  const resampler = new Resampler(fromHz, toHz, options);
  const head = resampler.process(samples);
  const tail = resampler.flush();
  const out = new Int16Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
