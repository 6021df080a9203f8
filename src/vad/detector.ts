/**
 * A speech detector turns caller audio into a sequence of windows, each saying whether it holds
 * speech. Windows have the detector's own length (20 ms frames for energy, 32 ms for Silero), so
 * every consumer adds up `durationMs` instead of counting frames.
 */
export interface SpeechWindow {
  durationMs: number;
  /** The detector's verdict for this window. */
  speech: boolean;
  /** RMS level of the window's audio, dBFS (-Infinity for digital silence). */
  levelDbfs: number;
}

export interface SpeechDetector {
  /** For logs and the bench: 'energy', 'silero'. */
  readonly name: string;
  /** Feeds caller audio (any rate, any length); returns the windows this audio completed. */
  accept(samples: Int16Array, sampleRateHz: number): SpeechWindow[];
  /** Frees native resources. */
  close(): void;
}
