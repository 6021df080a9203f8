/**
 * Deterministic test noise and level arithmetic for 16-bit PCM: a seeded PRNG, white / pink / brown
 * noise and mains hum, scaling to an RMS level in dBFS, and a saturating mixer. Levels follow
 * `rmsDbfs` in pcm.ts: 0 dBFS is the RMS of a full-scale square wave (a full-scale sine is -3 dBFS).
 * Same kind, rate, level and seed: same samples, on every machine.
 */

/** Noise kinds `generateNoise` makes: three colours and mains hum at 50 or 60 Hz with harmonics. */
export const NOISE_KINDS = ['white', 'pink', 'brown', 'hum50', 'hum60'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

export function isNoiseKind(value: string): value is NoiseKind {
  return (NOISE_KINDS as readonly string[]).includes(value);
}

/** Mulberry32: a 32-bit seeded PRNG giving floats in [0, 1). Seeds are taken modulo 2^32. */
export function createPrng(seed: number): () => number {
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates (Box-Muller) from a uniform source. */
export function createGaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) { const value = spare; spare = undefined; return value; }
    const u = 1 - random();
    const v = random();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

/** Linear amplitude factor of a gain in dB (-6 dB is about 0.5). */
export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

/** RMS in 16-bit sample units of a level in dBFS. */
export function dbfsToRms(levelDbfs: number): number {
  return 32768 * dbToGain(levelDbfs);
}

/** First-order high-pass (DC blocker) with its -3 dB corner at `cornerHz`. */
function createHighPass(cornerHz: number, rateHz: number): (x: number) => number {
  const a = 1 / (1 + (2 * Math.PI * cornerHz) / rateHz);
  let previousIn = 0;
  let previousOut = 0;
  return (x) => {
    previousOut = a * (previousOut + x - previousIn);
    previousIn = x;
    return previousOut;
  };
}

const HUM_HARMONICS = [1, 0.5, 0.4, 0.2, 0.25, 0.1, 0.12, 0.05];

/**
 * An endless, unscaled noise signal: each call returns the next `count` samples. Successive calls
 * continue the same signal, so it can be streamed frame by frame. Scale with `scaleToDbfs`.
 */
export function createNoiseSource(kind: NoiseKind, rateHz: number, seed: number): (count: number) => Float64Array {
  const random = createPrng(seed);
  const white = createGaussian(random);
  if (kind === 'white') return (count) => Float64Array.from({ length: count }, white);
  if (kind === 'pink') {
    // Paul Kellet's refined filter: -3 dB/octave within ±0.05 dB over the audio band; then a
    // 30 Hz high-pass, so the level is the audible level and does not wander with sub-audio swell.
    let b0 = 0; let b1 = 0; let b2 = 0; let b3 = 0; let b4 = 0; let b5 = 0; let b6 = 0;
    const highPass = createHighPass(30, rateHz);
    return (count) => Float64Array.from({ length: count }, () => {
      const w = white();
      b0 = 0.99886 * b0 + w * 0.0555179;
      b1 = 0.99332 * b1 + w * 0.0750759;
      b2 = 0.969 * b2 + w * 0.153852;
      b3 = 0.8665 * b3 + w * 0.3104856;
      b4 = 0.55 * b4 + w * 0.5329522;
      b5 = -0.7616 * b5 - w * 0.016898;
      const out = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
      b6 = w * 0.115926;
      return highPass(out);
    });
  }
  if (kind === 'brown') {
    // Leaky integrator: -6 dB/octave above 100 Hz (flat below it), so the level holds steady.
    const pole = Math.exp((-2 * Math.PI * 100) / rateHz);
    let last = 0;
    return (count) => Float64Array.from({ length: count }, () => (last = pole * last + (1 - pole) * white()));
  }
  const baseHz = kind === 'hum50' ? 50 : 60;
  const partials = HUM_HARMONICS
    .map((amplitude, index) => ({ amplitude, frequencyHz: baseHz * (index + 1), phase: 2 * Math.PI * random() }))
    .filter((partial) => partial.frequencyHz < rateHz / 2);
  let n = 0;
  return (count) => Float64Array.from({ length: count }, () => {
    const t = n / rateHz;
    n += 1;
    let sum = 0;
    for (const p of partials) sum += p.amplitude * Math.sin(2 * Math.PI * p.frequencyHz * t + p.phase);
    return sum;
  });
}

/** Samples scaled so their RMS level is `levelDbfs`, rounded and saturated to 16 bits (silence stays silence). */
export function scaleToDbfs(samples: ArrayLike<number>, levelDbfs: number): Int16Array {
  let sum = 0;
  for (let i = 0; i < samples.length; i += 1) sum += (samples[i] ?? 0) ** 2;
  const current = samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
  const gain = current === 0 ? 0 : dbfsToRms(levelDbfs) / current;
  return applyGain(samples, gain);
}

function applyGain(samples: ArrayLike<number>, gain: number): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) {
    const value = Math.round((samples[i] ?? 0) * gain);
    out[i] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
  }
  return out;
}

/** `samples` of noise at exactly `levelDbfs` RMS (unless it clips near 0 dBFS), deterministic per seed. */
export function generateNoise(kind: NoiseKind, samples: number, rateHz: number, levelDbfs: number, seed: number): Int16Array {
  return scaleToDbfs(createNoiseSource(kind, rateHz, seed)(samples), levelDbfs);
}

/**
 * Endless noise at `levelDbfs`, chunk by chunk, for a stream of unknown length. The gain is fixed
 * once from the first `calibrationSeconds` of the same signal, so long stretches sit within a
 * fraction of a dB of the level and chunk boundaries are seamless.
 */
export function createNoiseStream(kind: NoiseKind, rateHz: number, levelDbfs: number, seed: number, calibrationSeconds = 10): (count: number) => Int16Array {
  const probe = createNoiseSource(kind, rateHz, seed)(Math.max(1, Math.round(calibrationSeconds * rateHz)));
  let sum = 0;
  for (const value of probe) sum += value * value;
  const current = Math.sqrt(sum / probe.length);
  const gain = current === 0 ? 0 : dbfsToRms(levelDbfs) / current;
  const source = createNoiseSource(kind, rateHz, seed);
  return (count) => applyGain(source(count), gain);
}

/**
 * Adds `source`, scaled by `gainDb`, into `target` starting at `target[offset]` (a negative offset
 * skips the head of `source`), saturating at 16 bits; what falls outside `target` is dropped.
 * Returns `target`.
 */
export function mixInto(target: Int16Array, source: Int16Array, offset: number, gainDb: number): Int16Array {
  const gain = dbToGain(gainDb);
  const start = Math.max(0, -offset);
  const end = Math.min(source.length, target.length - offset);
  for (let i = start; i < end; i += 1) {
    const value = Math.round((target[offset + i] ?? 0) + (source[i] ?? 0) * gain);
    target[offset + i] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
  }
  return target;
}
