import { PitchTracker } from './pitch.ts';

/** How the caller's last words sounded: a finished sentence, or a pause inside one. */
export type EndCue = 'final' | 'unfinished' | 'unknown';

/** Voiced frames compared at the end of speech with the rest of the utterance. */
const TAIL_FRAMES = 5;
const MIN_BODY_FRAMES = 8;

export interface ProsodyOptions {
  /** Tail pitch at or below this fraction of the utterance median reads as a final fall. */
  fallRatio: number;
  /** Tail pitch at or above this fraction reads as a final (question) rise. */
  riseRatio: number;
}

export const DEFAULT_PROSODY: ProsodyOptions = { fallRatio: 0.9, riseRatio: 1.12 };

/**
 * Pitch of the current utterance, frame by frame. A statement ends falling and a question often
 * ends rising; a pause inside a sentence keeps the pitch level. Octave errors of the tracker are
 * folded back towards the running median before they are compared.
 */
export class ProsodyCue {
  readonly #tracker: PitchTracker;
  readonly #options: ProsodyOptions;
  #voiced: number[] = [];

  constructor(sampleRateHz: number, options: Partial<ProsodyOptions> = {}) {
    this.#tracker = new PitchTracker(sampleRateHz);
    this.#options = { ...DEFAULT_PROSODY, ...options };
  }

  push(samples: Int16Array, inSpeech: boolean): void {
    const f0 = this.#tracker.push(samples);
    if (inSpeech && f0 !== undefined) this.#voiced.push(f0);
  }

  /** Forget the utterance (a new one starts). */
  reset(): void {
    this.#voiced = [];
  }

  /** The cue for speech that has just gone quiet. */
  cue(): EndCue {
    if (this.#voiced.length < TAIL_FRAMES + MIN_BODY_FRAMES) return 'unknown';
    const body = median(this.#voiced.slice(0, -TAIL_FRAMES));
    const tail = median(this.#voiced.slice(-TAIL_FRAMES).map((f0) => foldOctave(f0, body)));
    const ratio = tail / body;
    return ratio <= this.#options.fallRatio || ratio >= this.#options.riseRatio ? 'final' : 'unfinished';
  }
}

function foldOctave(f0: number, reference: number): number {
  if (f0 > reference * 1.7) return f0 / 2;
  if (f0 < reference * 0.6) return f0 * 2;
  return f0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
