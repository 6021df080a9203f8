import { concatSamples, silence, tone, type Pcm } from '../audio/pcm.ts';
import { abortError } from '../runtime/abortable.ts';
import type { SynthesizeOptions, TtsEngine } from './engine.ts';
import { checkSpeakableText, DEFAULT_MAX_TEXT_CHARS } from './text-check.ts';

/** Milliseconds of beep per character of text (about the pace of speech). */
export const TONE_MS_PER_CHAR = 60;
const GAP_MS = 40;

/**
 * TEST ENGINE, not a voice: one beep per word, each as long as the word (60 ms per character),
 * so playback length follows text length. `voicebot simulate` uses it on machines without a
 * Piper voice; it runs the same interface and file pipeline as the real engine.
 */
export class ToneTestVoice implements TtsEngine {
  readonly name = 'tone-test-voice (TEST ENGINE: beeps, not speech)';
  readonly sampleRateHz: number;
  readonly cacheKey: string;
  readonly #maxTextChars: number;

  constructor(options: { sampleRateHz?: number; maxTextChars?: number } = {}) {
    this.sampleRateHz = options.sampleRateHz ?? 16000;
    this.#maxTextChars = options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
    this.cacheKey = `tone-test-voice\0${this.sampleRateHz}`;
  }

  async synthesize(text: string, options: SynthesizeOptions = {}): Promise<Pcm> {
    const speakable = checkSpeakableText(text, this.#maxTextChars);
    if (options.signal?.aborted === true) throw abortError(options.signal);
    const parts: Int16Array[] = [];
    for (const word of speakable.split(/\s+/)) {
      const frequencyHz = 500 + (word.length % 5) * 100;
      parts.push(tone(frequencyHz, word.length * TONE_MS_PER_CHAR, this.sampleRateHz, -15), silence(GAP_MS, this.sampleRateHz));
    }
    return { sampleRateHz: this.sampleRateHz, samples: concatSamples(parts) };
  }

  close(): void {}
}
