import type { AudioFrame } from '../audio/pcm.ts';
import type { SttWord } from './vosk-recognizer.ts';

export type { AudioFrame } from '../audio/pcm.ts';
export type { SttWord } from './vosk-recognizer.ts';

/** Why an utterance ended. */
export type FinalReason =
  /** The endpointer heard `stopMs` of quiet. */
  | 'quiet'
  /** libvosk ended the utterance (model.conf endpoint rules) while the caller was already quiet. */
  | 'decoder'
  /** The utterance reached `maxUtteranceMs`. */
  | 'max-length'
  /** The audio stream ended mid-utterance. */
  | 'end-of-audio';

/**
 * What a transcription stream reports. All `*Ms` are stream time: ms of audio consumed since
 * `transcribe()` started (never wall clock; fd 3 is not a clock).
 */
export type SttEvent =
  | { type: 'speech-start'; atMs: number; speechStartMs: number }
  /** Caller speech loud and long enough to interrupt the bot (only while `botSpeaking()` is true). */
  | { type: 'barge-in'; atMs: number; speechStartMs: number }
  | { type: 'partial'; atMs: number; text: string }
  /**
   * End of one caller utterance. `text` may be empty (noise, a cough): the call loop decides.
   * `decodeMs` is the wall time spent finishing the decode after the end was detected.
   */
  | { type: 'final'; atMs: number; text: string; words: SttWord[]; speechStartMs: number; speechEndMs: number; reason: FinalReason; decodeMs: number };

export interface TranscribeOptions {
  signal?: AbortSignal;
  /** Polled per frame: while true, speech is also checked against the stricter barge-in rule. */
  botSpeaking?: () => boolean;
}

/**
 * Speech-to-text over a continuous stream of caller frames (read fd 3 at all times and pass
 * every frame through). One stream per call; events arrive in stream order.
 */
export interface SttEngine {
  /** Shown in logs and the call record; test engines say so. */
  readonly name: string;
  transcribe(frames: AsyncIterable<AudioFrame>, options?: TranscribeOptions): AsyncIterable<SttEvent>;
  /** Free the native model. */
  close(): void;
}
