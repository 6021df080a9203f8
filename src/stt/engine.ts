import type { AudioFrame } from '../audio/pcm.ts';
import type { SttWord } from './vosk-recognizer.ts';

export type { AudioFrame } from '../audio/pcm.ts';
export type { SttWord } from './vosk-recognizer.ts';

/**
 * What the transcriber is fed, in stream order: every caller frame, and the turn boundaries the
 * speech detector found (turn taking lives in src/vad, not in the recogniser).
 */
export type SttInput =
  | { type: 'audio'; frame: AudioFrame }
  /** The caller started a turn: text decoded before this was noise and is dropped. */
  | { type: 'turn-start' }
  /** The caller's turn ended: finish decoding it and report one `final`. */
  | { type: 'turn-end' };

export type SttEvent =
  /** The text so far of the turn in progress (for the end-of-turn text cue). */
  | { type: 'partial'; text: string }
  /** One per `turn-end`, in order. `text` may be empty (noise, a cough). `decodeMs`: wall time to finish the decode. */
  | { type: 'final'; text: string; words: SttWord[]; decodeMs: number };

/**
 * Speech-to-text over a continuous stream of caller frames (read fd 3 at all times and pass every
 * frame through). One stream per call.
 */
export interface SttEngine {
  /** Shown in logs and the call record; test engines say so. */
  readonly name: string;
  transcribe(input: AsyncIterable<SttInput>, options?: { signal?: AbortSignal }): AsyncIterable<SttEvent>;
  /** Free the native model. */
  close(): void;
}
