import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { bytesToPcm, parseWav } from '../../audio/wav.ts';

/** A sound file as Asterisk would play it. */
export interface Sound {
  path: string;
  samples: Int16Array;
  sampleRateHz: number;
}

/** Extensions Asterisk's file API tries for a name without extension, with their rate. */
const FORMATS: readonly { ext: string; rateHz: number; wav: boolean }[] = [
  { ext: 'sln', rateHz: 8000, wav: false },
  { ext: 'sln16', rateHz: 16000, wav: false },
  { ext: 'wav', rateHz: 8000, wav: true },
  { ext: 'wav16', rateHz: 16000, wav: true },
];

/**
 * Find and decode a sound like Asterisk: `name` has no extension; absolute paths are used as they
 * are, relative ones under `soundsDir`. The format matching the channel's rate is preferred.
 * Asterisk's WAV reader drops the last 44 bytes (22 samples) of every WAV (format_wav.c).
 */
export function loadSound(name: string, soundsDir: string, channelRateHz: number): Sound | undefined {
  if (name === '') return undefined;
  const base = isAbsolute(name) ? name : join(soundsDir, name);
  const ordered = [...FORMATS].sort((a, b) => Number(b.rateHz === channelRateHz) - Number(a.rateHz === channelRateHz));
  for (const format of ordered) {
    const path = `${base}.${format.ext}`;
    if (!existsSync(path)) continue;
    try {
      const bytes = readFileSync(path);
      if (!format.wav) return { path, samples: bytesToPcm(bytes), sampleRateHz: format.rateHz };
      const pcm = parseWav(bytes, path);
      if (pcm.channels !== 1 || pcm.sampleRateHz !== format.rateHz) continue;
      return { path, samples: pcm.samples.subarray(0, Math.max(0, pcm.samples.length - 22)), sampleRateHz: format.rateHz };
    } catch {
      continue;
    }
  }
  return undefined;
}

/** Linear-interpolation resampling; good enough for a fake channel and the simulate recording. */
export function resampleLinear(samples: Int16Array, fromHz: number, toHz: number): Int16Array {
  if (fromHz === toHz) return samples;
  const outLength = Math.floor((samples.length * toHz) / fromHz);
  const out = new Int16Array(outLength);
  const step = fromHz / toHz;
  for (let i = 0; i < outLength; i += 1) {
    const position = i * step;
    const index = Math.floor(position);
    const frac = position - index;
    const a = samples[index] ?? 0;
    const b = samples[index + 1] ?? a;
    out[i] = Math.round(a + (b - a) * frac);
  }
  return out;
}
