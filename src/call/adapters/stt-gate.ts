import type { AudioFrame } from '../../audio/pcm.ts';
import type { SttInput } from '../../stt/engine.ts';

/** Audio before the detected start of speech that still goes to the transcriber (soft onsets, window alignment). */
const LEAD_MS = 300;
/** Audio kept while no turn is open: more than the detector's start delay plus LEAD_MS. */
const KEEP_MS = 1500;

/**
 * Hands the transcriber the caller's turns only. A decoder costs CPU per second of audio it is
 * given, speech or not (a Vosk small model ~0.2 of a core), and text outside a turn is dropped
 * anyway, so the silence, line noise and echo between turns are not decoded. Audio is kept until
 * the detector decides (it starts a turn `speech_start_ms` after the speech began); the turn then
 * gets it from LEAD_MS before the detected start on.
 */
export class SttGate {
  readonly #push: (input: SttInput) => void;
  #inTurn = false;
  /** Stream time at the end of the frames seen so far (the turn taker's clock: 0 at the first frame). */
  #streamMs = 0;
  #kept: { frame: AudioFrame; startMs: number }[] = [];
  #keptMs = 0;

  constructor(push: (input: SttInput) => void) {
    this.#push = push;
  }

  audio(frame: AudioFrame): void {
    const startMs = this.#streamMs;
    const frameMs = (frame.samples.length * 1000) / frame.sampleRateHz;
    this.#streamMs += frameMs;
    if (this.#inTurn) {
      this.#push({ type: 'audio', frame });
      return;
    }
    this.#kept.push({ frame, startMs });
    this.#keptMs += frameMs;
    while (this.#keptMs > KEEP_MS && this.#kept.length > 1) {
      const dropped = this.#kept.shift()!;
      this.#keptMs -= (dropped.frame.samples.length * 1000) / dropped.frame.sampleRateHz;
    }
  }

  /** A turn opens at `speechStartMs` (turn-taker stream time): what was kept from LEAD_MS before it goes first. */
  turnStart(speechStartMs: number): void {
    this.#push({ type: 'turn-start' });
    for (const { frame, startMs } of this.#kept) {
      const endMs = startMs + (frame.samples.length * 1000) / frame.sampleRateHz;
      if (endMs > speechStartMs - LEAD_MS) this.#push({ type: 'audio', frame });
    }
    this.#kept = [];
    this.#keptMs = 0;
    this.#inTurn = true;
  }

  turnEnd(): void {
    this.#inTurn = false;
    this.#push({ type: 'turn-end' });
  }
}
