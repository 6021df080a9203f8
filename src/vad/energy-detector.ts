import { rmsDbfs } from '../audio/pcm.ts';
import type { SpeechDetector, SpeechWindow } from './detector.ts';

/** Frame energy against a fixed level: the detector that needs no model (`vad = energy`). */
export class EnergyDetector implements SpeechDetector {
  readonly name = 'energy';
  readonly speechDbfs: number;

  constructor(options: { speechDbfs: number }) {
    this.speechDbfs = options.speechDbfs;
  }

  accept(samples: Int16Array, sampleRateHz: number): SpeechWindow[] {
    if (samples.length === 0) return [];
    const levelDbfs = rmsDbfs(samples);
    return [{ durationMs: (samples.length * 1000) / sampleRateHz, speech: levelDbfs >= this.speechDbfs, levelDbfs }];
  }

  close(): void {}
}
