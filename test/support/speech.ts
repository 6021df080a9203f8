export { callerAudio, speak, speechUnavailable } from '../../src/simulate/caller-speech.ts';
import type { AudioFrame } from '../../src/audio/pcm.ts';

/** 20 ms frames, as fd 3 delivers them. */
export async function* framesOf(samples: Int16Array, sampleRateHz: number, frameMs = 20): AsyncGenerator<AudioFrame> {
  const size = (sampleRateHz * frameMs) / 1000;
  for (let i = 0; i < samples.length; i += size) yield { sampleRateHz, samples: samples.slice(i, i + size) };
}
