import { rmsDbfs } from '../audio/pcm.ts';
import type { SpeechDetector, SpeechWindow } from './detector.ts';
import { EchoCanceller } from './echo-canceller.ts';
import { EnergyDetector } from './energy-detector.ts';
import { NoiseFloor } from './noise-floor.ts';
import { ProsodyCue, type EndCue, type ProsodyOptions } from './prosody.ts';
import { SileroDetector } from './silero-detector.ts';
import { endsUnfinished } from './text-cue.ts';

export type VadMode = 'energy' | 'silero' | 'silero+echo';

export interface TurnTakerOptions {
  mode: VadMode;
  sampleRateHz: number;
  /** Windows quieter than this never count as speech (in energy mode it is the whole rule). */
  speechThresholdDbfs: number;
  /** While the bot speaks, caller audio (after echo removal) quieter than this cannot interrupt. */
  bargeInThresholdDbfs: number;
  /** Speech needed before the caller counts as speaking. */
  speechStartMs: number;
  /** Quiet that ends a turn whose last words sound finished (or give no cue). */
  endAfterFinalMs: number;
  /** Quiet that ends a turn whose last words sound unfinished (level pitch, a trailing "and"). */
  endAfterPauseMs: number;
  /** While the bot speaks, caller speech needed to interrupt it. */
  bargeInMinMs: number;
  maxUtteranceMs: number;
  /** Use the pitch and text cues; off: every turn ends after `endAfterFinalMs`. */
  cues: boolean;
  /** Silero speech probability threshold. */
  sileroThreshold: number;
  /** Tuning of the pitch cue (defaults in prosody.ts). */
  prosody?: Partial<ProsodyOptions>;
  /** Speech that sinks to the line's background level does not hold a turn open (off: the pre-Silero rule). */
  backgroundGate?: boolean;
}

/** The product's defaults (the config keys' defaults say the same). */
export const DEFAULT_TURN_TAKING: Omit<TurnTakerOptions, 'mode' | 'sampleRateHz'> = {
  speechThresholdDbfs: -45, bargeInThresholdDbfs: -45, speechStartMs: 160, endAfterFinalMs: 550,
  endAfterPauseMs: 1300, bargeInMinMs: 120, maxUtteranceMs: 20_000, cues: true, sileroThreshold: 0.5,
};

/** The energy detector as it shipped before Silero: the bench's baseline. */
export const ENERGY_BASELINE: Omit<TurnTakerOptions, 'mode' | 'sampleRateHz'> = {
  speechThresholdDbfs: -40, bargeInThresholdDbfs: -32, speechStartMs: 200, endAfterFinalMs: 700,
  endAfterPauseMs: 700, bargeInMinMs: 300, maxUtteranceMs: 20_000, cues: false, sileroThreshold: 0.5, backgroundGate: false,
};

export type TurnEvent =
  /** The caller started speaking; `speechStartMs` is where the speech began. */
  | { type: 'speech-start'; atMs: number; speechStartMs: number }
  /** Caller speech loud and long enough to interrupt the bot (only while the bot speaks). */
  | { type: 'barge-in'; atMs: number; speechStartMs: number }
  /** The caller's turn ended; `speechEndMs` is where the quiet began; `bargedIn`: it interrupted the bot. */
  | { type: 'speech-end'; atMs: number; speechStartMs: number; speechEndMs: number; reason: 'quiet' | 'max-length'; cue: EndCue; bargedIn: boolean };

export interface PushContext {
  /** What the bot plays at this instant, same length and rate as the caller frame. */
  reference?: Int16Array | undefined;
  /** The bot is speaking (a reply or the greeting): barge-in is armed. */
  botSpeaking: boolean;
}

/** A short dip in detected speech (between words) does not break a barge-in run. */
const BARGE_IN_GAP_MS = 70;
/** While starting, a quiet stretch this long cancels the start. */
const START_GAP_MS = 100;
/** Below this speech-to-background ratio the pitch cue is not used. */
const MIN_CUE_SNR_DB = 15;
/** Before the echo path is measured, the echo can be at most this much quieter than the reference. */
const MIN_ECHO_LOSS_DB = 6;
const ECHO_GUARD_MARGIN_DB = 3;

type State = 'quiet' | 'starting' | 'speaking' | 'stopping';

/** What the ear needs of turn taking (tests may script it). */
export interface TurnDetection {
  readonly inSpeech: boolean;
  /** Stream time: ms of caller audio pushed so far. */
  readonly nowMs: number;
  readonly detectorName: string;
  push(frame: Int16Array, context: PushContext): TurnEvent[];
  setText(text: string): void;
  close(): void;
}

/**
 * Turn taking over caller audio: a speech detector (energy or Silero), optionally fed the caller
 * audio with the bot's echo removed, and a pure state machine over its windows that finds the
 * start and end of caller turns and barge-ins. Time is stream time (ms of audio pushed), never
 * the wall clock, so replays and the bench are deterministic.
 */
export class TurnTaker implements TurnDetection {
  readonly options: TurnTakerOptions;
  readonly #detector: SpeechDetector;
  readonly #echo: EchoCanceller | undefined;
  readonly #prosody: ProsodyCue;
  readonly #floor = new NoiseFloor();
  #state: State = 'quiet';
  #nowMs = 0;
  #runStartMs = 0;
  #startSpeechMs = 0;
  #startGapMs = 0;
  #speechStartMs = 0;
  #quietSinceMs = 0;
  #holdMs = 0;
  #cue: EndCue = 'unknown';
  #text = '';
  #bargeRunStartMs: number | undefined;
  #bargeRunMs = 0;
  #bargeGapMs = 0;
  #bargedIn = false;

  constructor(options: TurnTakerOptions, detector: SpeechDetector) {
    this.options = options;
    this.#detector = detector;
    this.#echo = options.mode === 'silero+echo' ? new EchoCanceller({ sampleRateHz: options.sampleRateHz }) : undefined;
    this.#prosody = new ProsodyCue(options.sampleRateHz, options.prosody);
  }

  get inSpeech(): boolean { return this.#state === 'speaking' || this.#state === 'stopping'; }
  get nowMs(): number { return this.#nowMs; }
  get detectorName(): string { return this.#detector.name + (this.#echo === undefined ? '' : '+echo'); }

  /** The recogniser's text so far for the current turn (a trailing "and" holds the turn open). */
  setText(text: string): void {
    this.#text = text;
  }

  push(frame: Int16Array, context: PushContext): TurnEvent[] {
    const rateHz = this.options.sampleRateHz;
    let audio = frame;
    let echoFloorDbfs = Number.NEGATIVE_INFINITY;
    if (this.#echo !== undefined) {
      audio = this.#echo.process(frame, context.reference);
      const info = this.#echo.info;
      // Until the echo path is measured for this playback, only audio louder than the loudest
      // possible echo can be the caller.
      if (info.referenceActive && !info.confirmed) echoFloorDbfs = info.referencePeakDbfs - MIN_ECHO_LOSS_DB + ECHO_GUARD_MARGIN_DB;
    }
    // Pitch is read only from audio clearly above the line's background (hum has a pitch too).
    if (this.options.cues) this.#prosody.push(audio, this.#state !== 'quiet' && this.#floor.clearOfBackground(rmsDbfs(audio)));
    const events: TurnEvent[] = [];
    for (const window of this.#detector.accept(audio, rateHz)) this.#window(window, context.botSpeaking, echoFloorDbfs, events);
    return events;
  }

  close(): void {
    this.#detector.close();
  }

  #window(window: SpeechWindow, botSpeaking: boolean, echoFloorDbfs: number, events: TurnEvent[]): void {
    const startMs = this.#nowMs;
    this.#nowMs += window.durationMs;
    const speech = window.speech && window.levelDbfs >= this.options.speechThresholdDbfs && window.levelDbfs > echoFloorDbfs;
    this.#bargeIn(window, speech, botSpeaking, startMs, events);
    this.#floor.observe(window.levelDbfs, speech);
    // Inside a turn, speech that sinks to the line's background (noise or babble that goes on after
    // the caller stopped) no longer holds the turn open.
    this.#advance(window, this.inSpeech && this.options.backgroundGate !== false ? speech && this.#floor.aboveBackground() : speech, startMs, events);
    // One barge-in per caller turn: re-armed once the caller is quiet again.
    if (this.#state === 'quiet' && this.#bargeRunStartMs === undefined) this.#bargedIn = false;
  }

  #advance(window: SpeechWindow, speech: boolean, startMs: number, events: TurnEvent[]): void {
    switch (this.#state) {
      case 'quiet':
        if (!speech) return;
        this.#state = 'starting';
        this.#runStartMs = startMs;
        this.#startSpeechMs = window.durationMs;
        this.#startGapMs = 0;
        this.#prosody.reset();
        this.#floor.startTurn();
        this.#text = '';
        this.#checkStart(events);
        return;
      case 'starting':
        if (!speech) {
          this.#startGapMs += window.durationMs;
          if (this.#startGapMs >= START_GAP_MS) this.#state = 'quiet';
          return;
        }
        this.#startSpeechMs += window.durationMs;
        this.#startGapMs = 0;
        this.#checkStart(events);
        return;
      case 'speaking':
        if (speech) { this.#checkLength(events); return; }
        this.#state = 'stopping';
        this.#quietSinceMs = startMs;
        this.#cue = !this.options.cues ? 'unknown'
          : endsUnfinished(this.#text) ? 'unfinished'
          // On a noisy line the pitch track is unreliable (hum has a pitch of its own): no cue.
          : this.#floor.snrDb < MIN_CUE_SNR_DB ? 'unknown' : this.#prosody.cue();
        this.#holdMs = this.#cue === 'unfinished' ? this.options.endAfterPauseMs : this.options.endAfterFinalMs;
        this.#checkStop(events);
        return;
      case 'stopping':
        if (speech) { this.#state = 'speaking'; this.#checkLength(events); return; }
        this.#checkStop(events);
        return;
    }
  }

  #bargeIn(window: SpeechWindow, speech: boolean, botSpeaking: boolean, startMs: number, events: TurnEvent[]): void {
    const loud = speech && window.levelDbfs >= this.options.bargeInThresholdDbfs;
    if (loud) {
      this.#bargeRunStartMs ??= startMs;
      this.#bargeRunMs += window.durationMs;
      this.#bargeGapMs = 0;
    } else if (this.#bargeRunStartMs !== undefined) {
      this.#bargeGapMs += window.durationMs;
      if (this.#bargeGapMs > BARGE_IN_GAP_MS) {
        this.#bargeRunStartMs = undefined;
        this.#bargeRunMs = 0;
      }
    }
    if (!botSpeaking || this.#bargedIn || this.#bargeRunStartMs === undefined || this.#bargeRunMs < this.options.bargeInMinMs) return;
    this.#bargedIn = true;
    events.push({ type: 'barge-in', atMs: this.#nowMs, speechStartMs: this.#bargeRunStartMs });
  }

  #checkStart(events: TurnEvent[]): void {
    if (this.#startSpeechMs < this.options.speechStartMs) return;
    this.#state = 'speaking';
    this.#speechStartMs = this.#runStartMs;
    events.push({ type: 'speech-start', atMs: this.#nowMs, speechStartMs: this.#speechStartMs });
  }

  #checkStop(events: TurnEvent[]): void {
    if (this.#nowMs - this.#quietSinceMs >= this.#holdMs) {
      this.#state = 'quiet';
      events.push({ type: 'speech-end', atMs: this.#nowMs, speechStartMs: this.#speechStartMs, speechEndMs: this.#quietSinceMs, reason: 'quiet', cue: this.#cue, bargedIn: this.#bargedIn });
      return;
    }
    this.#checkLength(events);
  }

  #checkLength(events: TurnEvent[]): void {
    if (this.#nowMs - this.#speechStartMs < this.options.maxUtteranceMs) return;
    this.#state = 'quiet';
    events.push({ type: 'speech-end', atMs: this.#nowMs, speechStartMs: this.#speechStartMs, speechEndMs: this.#nowMs, reason: 'max-length', cue: 'unknown', bargedIn: this.#bargedIn });
  }
}

/** The detector a mode needs (Silero loads its model: tens of ms). */
export function createDetector(options: Pick<TurnTakerOptions, 'mode' | 'speechThresholdDbfs' | 'sileroThreshold'>): SpeechDetector {
  return options.mode === 'energy'
    ? new EnergyDetector({ speechDbfs: options.speechThresholdDbfs })
    : SileroDetector.load({ threshold: options.sileroThreshold, skipBelowDbfs: options.speechThresholdDbfs });
}

/**
 * A turn taker with the product's defaults (energy mode: the pre-Silero baseline), overridable.
 * Async so callers need not care whether a model loads.
 */
export async function createTurnTaker(options: { mode: VadMode; sampleRateHz: number } & Partial<TurnTakerOptions>): Promise<TurnTaker> {
  const defaults = options.mode === 'energy' ? ENERGY_BASELINE : DEFAULT_TURN_TAKING;
  const full: TurnTakerOptions = { ...defaults, ...options };
  return new TurnTaker(full, createDetector(full));
}
