import type { Pcm } from '../audio/pcm.ts';

export type { Pcm } from '../audio/pcm.ts';

export interface SynthesizeOptions {
  /** Aborting stops the synthesis (a barge-in); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Text-to-speech for one sentence at a time (keep each call short: docs/design.md, Engines). Audio comes back at
 * the engine's own rate; `renderToFile` converts it to what Asterisk plays.
 */
export interface TtsEngine {
  /** Shown in logs and the call record; test engines say so. */
  readonly name: string;
  /** Everything that changes the audio (voice file, settings); part of the phrase cache key. */
  readonly cacheKey: string;
  readonly sampleRateHz: number;
  synthesize(text: string, options?: SynthesizeOptions): Promise<Pcm>;
  close(): void;
}
