import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatSamples, silence, type AudioFrame } from '../../src/audio/pcm.ts';
import { resample } from '../../src/audio/resample.ts';
import { readWav } from '../../src/audio/wav.ts';

/** Why caller speech cannot be made here, or undefined when espeak-ng works. */
export function speechUnavailable(): string | undefined {
  const probe = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'espeak-ng is not installed (apt-get install espeak-ng)';
}

/** Real synthetic caller speech: espeak-ng at its native rate, resampled to `sampleRateHz`. */
export function speak(text: string, sampleRateHz = 8000): Int16Array {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-speech-'));
  try {
    const file = join(dir, 'speech.wav');
    const run = spawnSync('espeak-ng', ['-v', 'en-us', '-w', file, text], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`espeak-ng failed: ${run.stderr}`);
    const pcm = readWav(file);
    return resample(pcm.samples, pcm.sampleRateHz, sampleRateHz);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A caller recording: numbers are ms of silence, strings are spoken. */
export function callerAudio(parts: readonly (string | number)[], sampleRateHz = 8000): Int16Array {
  return concatSamples(parts.map((part) => (typeof part === 'number' ? silence(part, sampleRateHz) : speak(part, sampleRateHz))));
}

/** 20 ms frames, as fd 3 delivers them. */
export async function* framesOf(samples: Int16Array, sampleRateHz: number, frameMs = 20): AsyncGenerator<AudioFrame> {
  const size = (sampleRateHz * frameMs) / 1000;
  for (let i = 0; i < samples.length; i += size) yield { sampleRateHz, samples: samples.slice(i, i + size) };
}
