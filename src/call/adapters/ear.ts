import { setImmediate } from 'node:timers/promises';
import type { AudioFrame } from '../../audio/pcm.ts';
import type { Logger } from '../../log.ts';
import { AsyncQueue } from '../../runtime/async-queue.ts';
import type { SttEngine, SttEvent, SttInput } from '../../stt/engine.ts';
import type { TurnDetection, TurnEvent } from '../../vad/turn-taker.ts';
import type { BargeIn, Ear, Utterance } from '../ports.ts';
import { CallerHistory } from './caller-history.ts';
import { EchoReference } from './echo-reference.ts';
import { fillFd3Gaps } from './fd3-gaps.ts';
import { SttGate } from './stt-gate.ts';

export interface StreamEarOptions {
  /** Builds the call's turn taker once the first frame tells the channel rate. */
  turnTaker: (sampleRateHz: number) => TurnDetection;
  /** Start detecting (and load the detector) only once this settles: a call's greeting goes first. */
  startAfter?: Promise<unknown> | undefined;
  /** The transcriber, loading; frames heard meanwhile are queued and transcribed once it is ready. */
  stt: Promise<SttEngine>;
  log: Logger;
  /** Epoch ms clock. */
  now: () => number;
  recordAudio: boolean;
  /** Barge-ins that begin this soon after a playback starts wait for that long (line echo of the first syllable). */
  bargeInIgnoreFirstMs: number;
  signal: AbortSignal;
}

/** While the caller speaks, how often nextUtterance looks again whether the turn is over. */
const BUSY_RECHECK_MS = 200;
/** Longest the ear works through queued frames before it lets fd 3 and the AGI pipe be read. */
const MAX_BUSY_MS = 50;

/** A finished turn waiting for its transcript. Times are stream ms except `endedAtWallMs`. */
interface TurnEnd { speechStartMs: number; speechEndMs: number; atMs: number; endedAtWallMs: number; overBot: boolean }

/**
 * The Ear port: every fd 3 frame goes through the turn taker (speech detector, echo removal, turn
 * and barge-in rules); the caller's turns go on to the transcriber (SttGate). Turn boundaries
 * reach the transcriber in stream order, so each finished turn gets exactly one final. Utterances
 * that end while the bot still speaks, without having interrupted it, are dropped.
 */
export class StreamEar implements Ear {
  readonly ready: Promise<void>;
  readonly #options: StreamEarOptions;
  readonly #log: Logger;
  readonly #sttInput = new AsyncQueue<SttInput>();
  readonly #sttGate = new SttGate((input) => this.#sttInput.push(input));
  readonly #finals = new AsyncQueue<Utterance>();
  readonly #turnEnds: TurnEnd[] = [];
  readonly #subscribers = new Set<AsyncQueue<BargeIn>>();
  readonly #reference = new EchoReference();
  readonly #history = new CallerHistory();
  #taker: TurnDetection | undefined;
  #failure: unknown;
  #playbackStartedAtMs = Number.NEGATIVE_INFINITY;
  #heldBargeIn: NodeJS.Timeout | undefined;

  constructor(frames: AsyncIterable<AudioFrame>, options: StreamEarOptions) {
    this.#options = options;
    this.#log = options.log;
    this.ready = options.stt.then(() => undefined);
    this.ready.catch(() => undefined);
    void this.#listen(frames);
    void this.#transcribe(options.stt);
  }

  get detectorName(): string | undefined { return this.#taker?.detectorName; }

  async nextUtterance(options: { timeoutMs: number; signal: AbortSignal }): Promise<Utterance | undefined> {
    const deadline = this.#options.now() + options.timeoutMs;
    for (;;) {
      // Silence counts only until the caller starts speaking; then we wait for the transcript.
      const busy = this.#taker?.inSpeech === true || this.#turnEnds.length > 0;
      const waitMs = busy ? BUSY_RECHECK_MS : deadline - this.#options.now();
      if (waitMs <= 0) return undefined;
      const next = await this.#finals.next(waitMs, options.signal);
      if (next.kind === 'item') return next.item;
      if (next.kind === 'aborted') return undefined;
      if (next.kind === 'done') {
        if (this.#failure !== undefined) throw this.#failure;
        return undefined;
      }
    }
  }

  async *bargeIns(signal: AbortSignal): AsyncIterable<BargeIn> {
    const queue = new AsyncQueue<BargeIn>();
    const end = () => queue.end();
    signal.addEventListener('abort', end, { once: true });
    this.#subscribers.add(queue);
    try {
      if (signal.aborted) return;
      yield* queue;
    } finally {
      this.#subscribers.delete(queue);
      signal.removeEventListener('abort', end);
    }
  }

  playing(audio: { samples: Int16Array; sampleRateHz: number } | undefined): void {
    this.#reference.set(audio);
    if (audio !== undefined) this.#playbackStartedAtMs = this.#options.now();
  }

  discardPending(): void {
    this.#finals.dropOldest(0);
  }

  async #listen(frames: AsyncIterable<AudioFrame>): Promise<void> {
    try {
      // Frames wait in the fd 3 reader (with their capture times) until then.
      await this.#options.startAfter;
      let busySinceMs = performance.now();
      for await (const frame of fillFd3Gaps(frames, () => this.#taker?.inSpeech === true)) {
        // Queued frames arrive without a trip through the event loop: working off a backlog (audio
        // heard while the models loaded) would otherwise keep fd 3 unread until it is gone.
        if (performance.now() - busySinceMs > MAX_BUSY_MS) {
          await setImmediate();
          busySinceMs = performance.now();
        }
        this.#taker ??= this.#options.turnTaker(frame.sampleRateHz);
        const reference = this.#reference.next(frame.samples.length, frame.sampleRateHz, frame.capturedAtMs);
        const events = this.#taker.push(frame.samples, { reference, botSpeaking: this.#subscribers.size > 0 });
        if (this.#options.recordAudio) this.#history.add(frame.samples, frame.sampleRateHz);
        this.#sttGate.audio(frame);
        for (const event of events) this.#onTurnEvent(event);
      }
      const taker = this.#taker;
      if (taker?.inSpeech === true) this.#onTurnEvent({ type: 'speech-end', atMs: taker.nowMs, speechStartMs: taker.nowMs, speechEndMs: taker.nowMs, reason: 'quiet', cue: 'unknown', bargedIn: false });
    } catch (error) {
      // A hangup ends the stream with the hangup as its error: that is the call ending, not a failure.
      if (!this.#options.signal.aborted) this.#fail(error);
    } finally {
      this.#sttInput.end();
      this.#taker?.close();
    }
  }

  #onTurnEvent(event: TurnEvent): void {
    if (event.type === 'speech-start') {
      this.#sttGate.turnStart(event.speechStartMs);
    } else if (event.type === 'barge-in') {
      this.#bargeIn(event.speechStartMs);
    } else {
      if (this.#heldBargeIn !== undefined) { clearTimeout(this.#heldBargeIn); this.#heldBargeIn = undefined; }
      this.#turnEnds.push({
        speechStartMs: event.speechStartMs, speechEndMs: event.speechEndMs, atMs: event.atMs,
        endedAtWallMs: this.#options.now(), overBot: this.#subscribers.size > 0 && !event.bargedIn,
      });
      this.#sttGate.turnEnd();
      this.#log.info('STT', 'end of turn', { speechMs: Math.round(event.speechEndMs - event.speechStartMs), reason: event.reason, cue: event.cue });
    }
  }

  /** Passes a barge-in to the bot's speech, after the echo window at the start of a playback. */
  #bargeIn(speechStartMs: number): void {
    const waitMs = this.#options.bargeInIgnoreFirstMs - (this.#options.now() - this.#playbackStartedAtMs);
    const deliver = () => {
      this.#heldBargeIn = undefined;
      if (this.#subscribers.size === 0) return;
      this.#log.info('STT', 'caller barged in', { detector: this.detectorName });
      const startWallMs = this.#options.now() - ((this.#taker?.nowMs ?? 0) - speechStartMs);
      for (const subscriber of this.#subscribers) subscriber.push({ speechStartMs: startWallMs });
    };
    if (waitMs <= 0) deliver();
    else this.#heldBargeIn ??= setTimeout(deliver, waitMs);
  }

  async #transcribe(sttLoad: Promise<SttEngine>): Promise<void> {
    try {
      const engine = await sttLoad;
      for await (const event of engine.transcribe(this.#sttInput, { signal: this.#options.signal })) this.#onSttEvent(event);
    } catch (error) {
      if (!this.#options.signal.aborted) this.#fail(error);
    } finally {
      this.#finals.end();
    }
  }

  #onSttEvent(event: SttEvent): void {
    if (event.type === 'partial') { this.#taker?.setText(event.text); return; }
    const turn = this.#turnEnds.shift();
    if (turn === undefined) return;
    const now = this.#options.now();
    // Stream time -> wall clock: the turn ended `atMs - speechEndMs` before the detector said so.
    const endWall = turn.endedAtWallMs - (turn.atMs - turn.speechEndMs);
    if (turn.overBot) {
      this.#log.info('STT', 'ignored speech over the bot (no barge-in)', { text: event.text });
    } else {
      this.#finals.push({
        text: event.text.trim(),
        speechStartMs: endWall - (turn.speechEndMs - turn.speechStartMs),
        speechEndMs: endWall,
        sttMs: now - endWall,
        audio: this.#options.recordAudio ? this.#history.slice(turn.speechStartMs, turn.speechEndMs) : undefined,
      });
    }
  }

  #fail(error: unknown): void {
    this.#failure ??= error;
    this.#log.error('STT', 'speech recognition stopped', { error: error instanceof Error ? error.message : String(error) });
    this.#finals.end();
  }
}
