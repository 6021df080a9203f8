import { PitchTracker } from './pitch.ts';

/** How the caller's last words sounded: a finished sentence, or a pause inside one. */
export type EndCue = 'final' | 'unfinished' | 'unknown';

/** Voiced frames (20 ms) of the last stretch of speech; the contour is read over this tail. */
const TAIL_FRAMES = 3;
/** How far back the tail is compared with: a fall or rise spans the last syllable or two. */
const SPAN_FRAMES = 8;
const MIN_FRAMES = 12;

export interface ProsodyOptions {
  /** The tail's rank among the utterance's pitches at or below which it reads as a final fall (0 = lowest). */
  finalRank: number;
  /** The tail at or below this fraction of the pitch SPAN_FRAMES earlier reads as a final fall. */
  fallRatio: number;
  /** The tail at or above this fraction of the pitch SPAN_FRAMES earlier reads as a final (question) rise. */
  riseRatio: number;
}

export const DEFAULT_PROSODY: ProsodyOptions = { finalRank: 0.05, fallRatio: 0.85, riseRatio: 1.15 };

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
    const voiced = this.#voiced;
    if (voiced.length < MIN_FRAMES) return 'unknown';
    const body = median(voiced);
    const folded = voiced.map((f0) => foldOctave(f0, body));
    const recent = folded.slice(-(TAIL_FRAMES + SPAN_FRAMES));
    const tail = median(recent.slice(-TAIL_FRAMES));
    const slope = tail / median(recent.slice(0, TAIL_FRAMES));
    const rank = folded.filter((f0) => f0 < tail).length / folded.length;
    const { finalRank, fallRatio, riseRatio } = this.#options;
    // Only a clear fall to the bottom of the speaker's range or a clear rise ends a turn early:
    // a level contour is what a pause inside a sentence sounds like.
    return rank <= finalRank || slope <= fallRatio || slope >= riseRatio ? 'final' : 'unfinished';
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
