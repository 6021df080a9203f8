/**
 * Speech start/end detection as a pure, synchronous state machine over a per-frame confidence
 * (0..1) from any source (energy, a VAD model, decoder activity). No clocks: time advances only by
 * the frame durations fed in, so tests and replays are deterministic.
 *
 * QUIET → STARTING when confidence ≥ threshold; STARTING → SPEAKING once `startMs` of speech has
 * accumulated (dips shorter than `startGapMs` are tolerated; a longer dip goes back to QUIET); SPEAKING → STOPPING when confidence drops; STOPPING → QUIET after
 * `stopMs` of continuous quiet (else back to SPEAKING). The same machine with a higher threshold
 * and `startMs = minBargeInMs` detects barge-in while the bot speaks.
 */
export type EndpointState = 'quiet' | 'starting' | 'speaking' | 'stopping';

export interface EndpointerOptions {
  /** Confidence at or above which a frame counts as speech. */
  threshold: number;
  /** Speech needed before `speech-start`. */
  startMs: number;
  /** While STARTING, a quiet stretch this long cancels the start (speech has short dips between sounds). */
  startGapMs: number;
  /** Continuous quiet needed before `speech-end`. */
  stopMs: number;
}

export type EndpointEvent =
  /** `speechStartMs` is where the speech began (startMs before `atMs`). */
  | { type: 'speech-start'; atMs: number; speechStartMs: number }
  /** `speechEndMs` is where the quiet began (stopMs before `atMs`). */
  | { type: 'speech-end'; atMs: number; speechStartMs: number; speechEndMs: number };

export const DEFAULT_ENDPOINTER: EndpointerOptions = { threshold: 0.5, startMs: 200, startGapMs: 60, stopMs: 700 };

export class Endpointer {
  readonly options: EndpointerOptions;
  #state: EndpointState = 'quiet';
  #nowMs = 0;
  /** When the current run of speech (STARTING/SPEAKING) or quiet (STOPPING) began. */
  #runStartMs = 0;
  #speechStartMs = 0;
  /** STARTING: speech accumulated, and the current quiet run. */
  #startSpeechMs = 0;
  #startGapMs = 0;

  constructor(options: Partial<EndpointerOptions> = {}) {
    this.options = { ...DEFAULT_ENDPOINTER, ...options };
  }

  get state(): EndpointState { return this.#state; }
  /** Stream time: the sum of the frame durations fed so far. */
  get nowMs(): number { return this.#nowMs; }
  /** In STOPPING: when the current quiet began. */
  get quietSinceMs(): number { return this.#state === 'stopping' ? this.#runStartMs : this.#nowMs; }
  /** True from `speech-start` until `speech-end`. */
  get inSpeech(): boolean { return this.#state === 'speaking' || this.#state === 'stopping'; }

  /** Feed one frame's confidence and duration; returns the transition it caused, if any. */
  update(confidence: number, frameMs: number): EndpointEvent | undefined {
    const frameStartMs = this.#nowMs;
    this.#nowMs += frameMs;
    const speech = confidence >= this.options.threshold;
    switch (this.#state) {
      case 'quiet':
        if (!speech) return undefined;
        this.#state = 'starting';
        this.#runStartMs = frameStartMs;
        this.#startSpeechMs = frameMs;
        this.#startGapMs = 0;
        return this.#checkStart();
      case 'starting':
        if (!speech) {
          this.#startGapMs += frameMs;
          if (this.#startGapMs >= this.options.startGapMs) this.#state = 'quiet';
          return undefined;
        }
        this.#startSpeechMs += frameMs;
        this.#startGapMs = 0;
        return this.#checkStart();
      case 'speaking':
        if (speech) return undefined;
        this.#state = 'stopping';
        this.#runStartMs = frameStartMs;
        return this.#checkStop();
      case 'stopping':
        if (speech) { this.#state = 'speaking'; return undefined; }
        return this.#checkStop();
    }
  }

  /** Back to QUIET, keeping the clock (e.g. after a forced end of utterance). */
  reset(): void {
    this.#state = 'quiet';
  }

  #checkStart(): EndpointEvent | undefined {
    if (this.#startSpeechMs < this.options.startMs) return undefined;
    this.#state = 'speaking';
    this.#speechStartMs = this.#runStartMs;
    return { type: 'speech-start', atMs: this.#nowMs, speechStartMs: this.#speechStartMs };
  }

  #checkStop(): EndpointEvent | undefined {
    if (this.#nowMs - this.#runStartMs < this.options.stopMs) return undefined;
    this.#state = 'quiet';
    return { type: 'speech-end', atMs: this.#nowMs, speechStartMs: this.#speechStartMs, speechEndMs: this.#runStartMs };
  }
}
