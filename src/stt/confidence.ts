import { rmsDbfs } from '../audio/pcm.ts';

/** Turns one frame of audio into a speech confidence in 0..1 for the endpointer. */
export interface ConfidenceSource {
  readonly name: string;
  confidence(samples: Int16Array, sampleRateHz: number): number;
}

export interface EnergyConfidenceOptions {
  /** Frame level (dBFS) that maps to confidence 0.5; telephone speech sits around -30..-15 dBFS. */
  speechDbfs?: number;
  /** dB from confidence 0 to 1, centred on `speechDbfs`. */
  rangeDb?: number;
}

/** Frame energy as confidence: the fallback that needs no model. */
export class EnergyConfidence implements ConfidenceSource {
  readonly name = 'energy';
  readonly speechDbfs: number;
  readonly rangeDb: number;

  constructor(options: EnergyConfidenceOptions = {}) {
    this.speechDbfs = options.speechDbfs ?? -40;
    this.rangeDb = options.rangeDb ?? 12;
  }

  confidence(samples: Int16Array): number {
    const level = rmsDbfs(samples);
    if (level === Number.NEGATIVE_INFINITY) return 0;
    const value = 0.5 + (level - this.speechDbfs) / this.rangeDb;
    return value < 0 ? 0 : value > 1 ? 1 : value;
  }

  /** The confidence a frame at `levelDbfs` gets: lets barge-in thresholds be set in dBFS. */
  confidenceAt(levelDbfs: number): number {
    const value = 0.5 + (levelDbfs - this.speechDbfs) / this.rangeDb;
    return value < 0 ? 0 : value > 1 ? 1 : value;
  }
}
