import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNoiseStream, createPrng, generateNoise, mixInto, NOISE_KINDS, scaleToDbfs } from '../../src/audio/noise.ts';
import { rmsDbfs } from '../../src/audio/pcm.ts';
import { levelAtDbfs } from './signal.ts';

test('PRNG: deterministic per seed, different across seeds, uniform in [0, 1)', () => {
  const a = createPrng(42);
  const b = createPrng(42);
  const c = createPrng(43);
  const first = Array.from({ length: 1000 }, a);
  assert.deepEqual(Array.from({ length: 1000 }, b), first);
  assert.notDeepEqual(Array.from({ length: 1000 }, c), first);
  assert.ok(first.every((value) => value >= 0 && value < 1));
  const mean = first.reduce((sum, value) => sum + value, 0) / first.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05);
});

test('generateNoise: every kind within 0.5 dB of the level, deterministic per seed', () => {
  for (const kind of NOISE_KINDS) {
    for (const level of [-45, -30, -12]) {
      const noise = generateNoise(kind, 8000 * 3, 8000, level, 7);
      assert.ok(Math.abs(rmsDbfs(noise) - level) < 0.5, `${kind}@${level}: ${rmsDbfs(noise).toFixed(2)}`);
      // Any one second of it, too: the level is steady, not only on average.
      assert.ok(Math.abs(rmsDbfs(noise.subarray(8000, 16000)) - level) < 0.5, `${kind}@${level} second 2`);
    }
    assert.deepEqual(generateNoise(kind, 4000, 8000, -30, 1), generateNoise(kind, 4000, 8000, -30, 1));
    if (!kind.startsWith('hum')) assert.notDeepEqual(generateNoise(kind, 4000, 8000, -30, 1), generateNoise(kind, 4000, 8000, -30, 2));
  }
});

test('createNoiseStream: chunked output is seamless and stays at the level past its calibration', () => {
  for (const kind of NOISE_KINDS) {
    const whole = createNoiseStream(kind, 8000, -30, 5)(16000);
    const chunked = createNoiseStream(kind, 8000, -30, 5);
    const parts = Array.from({ length: 100 }, () => chunked(160));
    const joined = new Int16Array(16000);
    parts.forEach((part, i) => joined.set(part, i * 160));
    assert.deepEqual(joined, whole, kind);
    const later = chunked(80000).subarray(0, 80000);
    assert.ok(Math.abs(rmsDbfs(later) - -30) < 0.5, `${kind} after the calibration stretch: ${rmsDbfs(later).toFixed(2)}`);
  }
});

/** Mean power per Hz (dB) over [lowHz, highHz), by a Hann-windowed averaged periodogram. */
function bandDensityDb(samples: Int16Array, rateHz: number, lowHz: number, highHz: number): number {
  const size = 512;
  const window = Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
  const first = Math.ceil((lowHz * size) / rateHz);
  const last = Math.ceil((highHz * size) / rateHz);
  let total = 0;
  let count = 0;
  for (let start = 0; start + size <= samples.length; start += size) {
    for (let bin = first; bin < last; bin += 1) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < size; i += 1) {
        const value = (samples[start + i] ?? 0) * (window[i] ?? 0);
        re += value * Math.cos((2 * Math.PI * bin * i) / size);
        im -= value * Math.sin((2 * Math.PI * bin * i) / size);
      }
      total += re * re + im * im;
      count += 1;
    }
  }
  return 10 * Math.log10(total / count);
}

test('pink noise falls about 3 dB per octave (brown 6, white 0) over 125-4000 Hz at 8 kHz', () => {
  const octaves = [125, 250, 500, 1000, 2000];
  const slope = (kind: 'white' | 'pink' | 'brown') => {
    const noise = generateNoise(kind, 512 * 40, 8000, -20, 3);
    const levels = octaves.map((low) => bandDensityDb(noise, 8000, low, Math.min(low * 2, 3900)));
    // Least-squares slope of level against octave number.
    const xs = octaves.map((_, i) => i);
    const meanX = xs.reduce((a, b) => a + b) / xs.length;
    const meanY = levels.reduce((a, b) => a + b) / levels.length;
    const num = xs.reduce((sum, x, i) => sum + (x - meanX) * ((levels[i] ?? 0) - meanY), 0);
    const den = xs.reduce((sum, x) => sum + (x - meanX) ** 2, 0);
    return num / den;
  };
  const pink = slope('pink');
  assert.ok(pink > -4 && pink < -2, `pink slope ${pink.toFixed(2)} dB/octave`);
  const white = slope('white');
  assert.ok(Math.abs(white) < 1, `white slope ${white.toFixed(2)} dB/octave`);
  const brown = slope('brown');
  assert.ok(brown > -7.5 && brown < -4.5, `brown slope ${brown.toFixed(2)} dB/octave`);
});

test('hum: the fundamental and harmonics are there, nothing at an unrelated frequency', () => {
  const hum = generateNoise('hum60', 8000, 8000, -30, 1);
  assert.ok(levelAtDbfs(hum, 60, 8000) > -36);
  assert.ok(levelAtDbfs(hum, 180, 8000) > -45);
  assert.ok(levelAtDbfs(hum, 1000, 8000) < -80);
  const hum50 = generateNoise('hum50', 8000, 8000, -30, 1);
  assert.ok(levelAtDbfs(hum50, 50, 8000) > -36);
  assert.ok(levelAtDbfs(hum50, 60, 8000) < -60);
});

test('scaleToDbfs sets the RMS level and leaves silence silent', () => {
  const ramp = Int16Array.from({ length: 1000 }, (_, i) => (i % 50) - 25);
  assert.ok(Math.abs(rmsDbfs(scaleToDbfs(ramp, -20)) - -20) < 0.05);
  assert.deepEqual(scaleToDbfs(new Int16Array(10), -20), new Int16Array(10));
  assert.ok(Math.abs(rmsDbfs(scaleToDbfs(Float64Array.from([0.1, -0.1]), -6)) - -6) < 0.01);
});

test('mixInto: adds at an offset with a gain, saturates, clips to the target, negative offsets skip the head', () => {
  const target = Int16Array.from([0, 100, 32000, -32000, 0]);
  mixInto(target, Int16Array.from([1000, 4000, -4000, -2000]), 1, -6.0206);
  assert.deepEqual(target, Int16Array.from([0, 600, 32767, -32768, -1000]));
  const other = new Int16Array(3);
  mixInto(other, Int16Array.from([1, 2, 3, 4, 5]), -2, 0);
  assert.deepEqual(other, Int16Array.from([3, 4, 5]));
  assert.deepEqual(mixInto(new Int16Array(2), Int16Array.from([9]), 5, 0), new Int16Array(2));
});
