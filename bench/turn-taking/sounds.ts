/**
 * Non-speech sounds a caller's line carries while the bot talks: coughs, clicks, a door slam, and
 * babble (several other talkers at once). Deterministic per seed; levels are RMS dBFS as in pcm.ts.
 */
import { createGaussian, createPrng, scaleToDbfs } from '../../src/audio/noise.ts';
import { RATE_HZ } from './voices.ts';

/** A uniform draw in [low, high) from a seeded source. */
export function between(random: () => number, low: number, high: number): number {
  return low + (high - low) * random();
}

/** One-pole low-pass coefficient for a corner frequency. */
function lowPassPole(cornerHz: number): number {
  return Math.exp((-2 * Math.PI * cornerHz) / RATE_HZ);
}

/**
 * A cough: 200-400 ms of band-limited noise (about 300-2500 Hz) with a 5-15 ms attack and an
 * exponential decay, sometimes with a weaker second burst, at `levelDbfs` RMS over its length.
 */
export function cough(seed: number, levelDbfs: number): Int16Array {
  const random = createPrng(seed);
  const gauss = createGaussian(random);
  const durationMs = between(random, 200, 400);
  const count = Math.round((durationMs / 1000) * RATE_HZ);
  const attack = Math.round(between(random, 0.005, 0.015) * RATE_HZ);
  const decay = count / between(random, 3, 5);
  const second = random() < 0.5 ? Math.round(count * between(random, 0.45, 0.6)) : -1;
  const low = lowPassPole(between(random, 1800, 2600));
  const high = lowPassPole(300);
  const out = new Float64Array(count);
  let lowState = 0;
  let highState = 0;
  for (let i = 0; i < count; i += 1) {
    lowState = low * lowState + (1 - low) * gauss();
    highState = high * highState + (1 - high) * lowState;
    const burst = (start: number, gain: number) => i < start ? 0 : gain * Math.min(1, (i - start) / attack) * Math.exp(-(i - start) / decay);
    out[i] = (lowState - highState) * (burst(0, 1) + (second < 0 ? 0 : burst(second, 0.6)));
  }
  return scaleToDbfs(out, levelDbfs);
}

/**
 * A click: a 1-5 ms impulse (a sharp edge ringing down), as a handset knock or a line glitch makes,
 * with its peak at `peakDbfs` (0 = full scale).
 */
export function click(seed: number, peakDbfs: number): Int16Array {
  const random = createPrng(seed);
  const count = Math.max(8, Math.round(between(random, 0.001, 0.005) * RATE_HZ));
  const peak = 32767 * 10 ** (peakDbfs / 20);
  const sign = random() < 0.5 ? -1 : 1;
  const ringHz = between(random, 1000, 3000);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i += 1) {
    const value = sign * peak * Math.exp(-i / (count / 4)) * Math.cos((2 * Math.PI * ringHz * i) / RATE_HZ);
    out[i] = Math.round(value);
  }
  return out;
}

/**
 * A door slam: a loud 100-300 ms low-frequency thump (a damped 50-120 Hz resonance plus low-passed
 * noise), instant attack and exponential decay, with its peak at `peakDbfs`.
 */
export function doorSlam(seed: number, peakDbfs: number): Int16Array {
  const random = createPrng(seed);
  const gauss = createGaussian(random);
  const count = Math.round(between(random, 0.1, 0.3) * RATE_HZ);
  const thumpHz = between(random, 50, 120);
  const decay = count / 4;
  const low = lowPassPole(400);
  const raw = new Float64Array(count);
  let noise = 0;
  let peak = 0;
  for (let i = 0; i < count; i += 1) {
    noise = low * noise + (1 - low) * gauss();
    const envelope = Math.min(1, i / 8) * Math.exp(-i / decay);
    raw[i] = envelope * (Math.sin((2 * Math.PI * thumpHz * i) / RATE_HZ) + 4 * noise);
    peak = Math.max(peak, Math.abs(raw[i] ?? 0));
  }
  const gain = peak === 0 ? 0 : (32767 * 10 ** (peakDbfs / 20)) / peak;
  return Int16Array.from(raw, (value) => Math.round(value * gain));
}

/**
 * Babble: each talker's speech looped from its own offset over `samples`, all summed (a room of
 * other conversations), then scaled to `levelDbfs` RMS.
 */
export function babble(talkers: readonly Int16Array[], samples: number, seed: number, levelDbfs: number): Int16Array {
  const random = createPrng(seed);
  const sum = new Float64Array(samples);
  for (const talker of talkers) {
    if (talker.length === 0) continue;
    const gapSamples = Math.round(between(random, 0.05, 0.3) * RATE_HZ);
    const period = talker.length + gapSamples;
    const offset = Math.floor(random() * period);
    for (let i = 0; i < samples; i += 1) {
      const position = (i + offset) % period;
      if (position < talker.length) sum[i] = (sum[i] ?? 0) + (talker[position] ?? 0);
    }
  }
  return scaleToDbfs(sum, levelDbfs);
}
