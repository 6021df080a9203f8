import { VoicebotError } from '../errors.ts';

/** Longest text one synthesis call accepts by default (one sentence is far shorter). */
export const DEFAULT_MAX_TEXT_CHARS = 1000;

/** Refuse text a single synthesis call must not take: nothing to say, or far more than a sentence. */
export function checkSpeakableText(text: string, maxChars = DEFAULT_MAX_TEXT_CHARS): string {
  const trimmed = text.trim();
  if (!/[\p{L}\p{N}]/u.test(trimmed)) {
    throw new VoicebotError('TTS_EMPTY_TEXT', `nothing to speak in ${JSON.stringify(text.slice(0, 40))}. Fix: skip empty sentences before synthesis (splitSentences does)`);
  }
  if (trimmed.length > maxChars) {
    throw new VoicebotError('TTS_TEXT_TOO_LONG', `text of ${trimmed.length} characters is longer than the ${maxChars} one synthesis call takes. Fix: split it with splitSentences() and synthesize sentence by sentence (or raise tts_max_text_chars)`);
  }
  return trimmed;
}
