import { createNoiseStream, scaleToDbfs } from '../../audio/noise.ts';
import { resampleLinear } from '../asterisk/sounds.ts';
import type { LineNoise } from './line-options.ts';

/**
 * The next `count` samples of a line noise at the channel rate, as an endless stream: generated
 * noise continues its seeded signal; recorded noise (scaled as a whole to the level) loops.
 */
export function lineNoiseStream(noise: LineNoise, rateHz: number): (count: number) => Int16Array {
  if ('kind' in noise) return createNoiseStream(noise.kind, rateHz, noise.levelDbfs, noise.seed ?? 1);
  const loop = scaleToDbfs(resampleLinear(noise.samples, noise.rateHz, rateHz), noise.levelDbfs);
  let position = 0;
  return (count) => {
    const out = new Int16Array(count);
    if (loop.length === 0) return out;
    for (let i = 0; i < count; i += 1) {
      out[i] = loop[position] ?? 0;
      position = position + 1 === loop.length ? 0 : position + 1;
    }
    return out;
  };
}
