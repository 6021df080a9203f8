import { isSpeakable } from '../tts/sentence-splitter.ts';

type Failure = { status: 'LLM_FAILED' | 'TTS_FAILED'; code: string; message: string };

/** What the guards read of a finished bot turn. */
interface TurnFacts {
  generatedText: string;
  interrupted: boolean;
  failure: Failure | undefined;
  action: unknown;
  audioPaths: readonly string[];
}

/**
 * Bounds on one bot reply beyond the LLM's own: how much synthesized audio it may play, and how
 * long the caller may hear nothing once the reply has started (filler or first sentence).
 */
export class ReplyGuard {
  readonly maxDeadAirMs: number | undefined;
  readonly #maxAudioMs: number;
  #audioMs = 0;
  #heardSomething = false;
  /** Sentences were left unspoken because the audio cap was reached. */
  capped = false;

  constructor(options: { maxDeadAirMs?: number | undefined; maxAudioMs?: number | undefined }) {
    this.maxDeadAirMs = options.maxDeadAirMs;
    this.#maxAudioMs = options.maxAudioMs ?? Number.POSITIVE_INFINITY;
  }

  /** Count a rendered sentence; false when it would pass the audio cap (then it is not played). */
  admit(durationMs: number): boolean {
    if (this.#audioMs + durationMs > this.#maxAudioMs && this.#audioMs > 0) {
      this.capped = true;
      return false;
    }
    this.#audioMs += durationMs;
    return true;
  }

  /** The caller heard part of the reply: from now on the wait for the next sentence is bounded. */
  heard(): number | undefined {
    this.#heardSomething = true;
    return this.maxDeadAirMs;
  }

  /** A wait for the next sentence ran out: the reply stalled when the caller already heard part of it. */
  stalled(): Failure | undefined {
    if (!this.#heardSomething || this.maxDeadAirMs === undefined) return undefined;
    return { status: 'LLM_FAILED', code: 'LLM_STALLED', message: `no next sentence within ${this.maxDeadAirMs} ms of silence (max_dead_air_ms)` };
  }
}

/**
 * A reply that ended normally with text but nothing the caller could hear (only punctuation,
 * markup or emoji) is a failure: the caller gets the apology instead of silence.
 */
export function nothingSpoken(turn: TurnFacts): Failure | undefined {
  if (turn.failure !== undefined || turn.action !== undefined || turn.interrupted || turn.audioPaths.length > 0) return undefined;
  if (turn.generatedText.trim() === '') return undefined;
  return { status: 'LLM_FAILED', code: 'LLM_NOTHING_SPEAKABLE', message: `the reply has nothing speakable: ${JSON.stringify(turn.generatedText.slice(0, 80))}` };
}

/** Whether some generated text never reached the caller (cut, failed, interrupted or unspeakable). */
export function hasUnplayed(turn: TurnFacts, guard: ReplyGuard): boolean {
  if (turn.interrupted || turn.failure !== undefined || guard.capped) return turn.generatedText.trim() !== '';
  return isSpeakable(turn.generatedText) && turn.audioPaths.length === 0;
}
