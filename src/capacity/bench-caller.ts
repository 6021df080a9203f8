import { concatSamples, silence } from '../audio/pcm.ts';
import { buzz, speak, speechUnavailable } from '../simulate/caller-speech.ts';

/** The caller of every benchmark call: a pause for the greeting, then questions with room for each answer. */
export interface BenchCaller {
  /** 8 kHz caller audio, from call start. */
  audio: Int16Array;
  /** Call time (ms) at which each question's speech ends. */
  utteranceEndsMs: number[];
  /** Call time (ms) at which the caller hangs up. */
  hangupAtMs: number;
  /** How the speech was made (espeak-ng, or a buzz and why). */
  speech: string;
  questions: readonly string[];
  /** Silence after each question, for the answer (ms). */
  gapMs: number;
}

/** Questions that ask for an answer and never say goodbye, so a real model keeps the call open. */
export const BENCH_QUESTIONS: readonly string[] = [
  'Hello, what are your opening hours on Saturday?',
  'And where exactly is your office?',
  'Can I also come by on Sunday morning?',
];

export function benchCaller(options: { leadMs: number; gapMs: number; questions?: readonly string[] }): BenchCaller {
  const questions = options.questions ?? BENCH_QUESTIONS;
  const unavailable = speechUnavailable();
  const parts: Int16Array[] = [silence(options.leadMs, 8000)];
  const ends: number[] = [];
  let ms = options.leadMs;
  for (const question of questions) {
    const said = trimSilence(unavailable === undefined ? speak(question, 8000) : buzz(question.length * 70, 8000));
    parts.push(said, silence(options.gapMs, 8000));
    ms += (said.length / 8000) * 1000;
    ends.push(ms);
    ms += options.gapMs;
  }
  return {
    audio: concatSamples(parts), utteranceEndsMs: ends, hangupAtMs: ms + 500, questions, gapMs: options.gapMs,
    speech: unavailable === undefined ? 'espeak-ng speech' : `a speech-like buzz (${unavailable})`,
  };
}

/** Cut the quiet espeak-ng pads its WAVs with, so "end of speech" is where the voice stops. */
function trimSilence(samples: Int16Array, threshold = 500): Int16Array {
  let first = 0;
  while (first < samples.length && Math.abs(samples[first] ?? 0) < threshold) first += 1;
  let last = samples.length - 1;
  while (last > first && Math.abs(samples[last] ?? 0) < threshold) last -= 1;
  return samples.slice(first, last + 1);
}
