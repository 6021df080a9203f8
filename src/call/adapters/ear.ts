import type { AudioFrame } from '../../audio/pcm.ts';
import type { Logger } from '../../log.ts';
import type { SttEngine, SttEvent } from '../../stt/engine.ts';
import type { Ear, Utterance } from '../ports.ts';

type FinalEvent = Extract<SttEvent, { type: 'final' }>;

/**
 * Between two sentences of one reply nothing plays for a moment; the barge-in rule stays armed that
 * long after a playback, so speech that starts in the gap still counts when the next sentence plays.
 */
const BOT_TURN_GAP_MS = 1500;

interface Watch {
  startedAtMs: number;
  ignoreFirstMs: number;
  resolve: (hit: boolean) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * fd 3 quiet mid-utterance for this long means the leg stopped sending (VAD/DTX, a silent Local
 * channel): from then on silence is fed to the endpointer in FD3_FILL_STEP_MS steps, real-time paced.
 */
const FD3_GAP_MS = 500;
const FD3_FILL_STEP_MS = 100;

function withGapTimeout<T>(work: Promise<T>, gapMs: number): Promise<T | 'gap'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('gap'), gapMs);
    work.then((value) => { clearTimeout(timer); resolve(value); }, (error: unknown) => { clearTimeout(timer); reject(error); });
  });
}

/**
 * The Ear port over one STT stream per call. Every fd 3 frame passes through (the engine must see
 * audio during playback too); finals become utterances, barge-in events end playback watches.
 * Utterances that end while the bot is still speaking, without having interrupted it, are dropped.
 */
export class StreamEar implements Ear {
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #recordAudio: boolean;
  readonly #signal: AbortSignal;
  readonly #finals: Utterance[] = [];
  #wake: (() => void) | undefined;
  #inSpeech = false;
  #ended = false;
  #failure: unknown;
  /** Set while the bot speaks: barge-in events resolve it. */
  #watch: Watch | undefined;
  #lastWatchEndMs = Number.NEGATIVE_INFINITY;
  /** The current speech segment passed the engine's barge-in rule (loud and long enough). */
  #loudSpeech = false;
  #segmentBargedIn = false;
  /** Recent caller audio (for recording), with the stream time of its first sample. */
  #audio: { frames: Int16Array[]; firstMs: number; streamMs: number; rateHz: number } = { frames: [], firstMs: 0, streamMs: 0, rateHz: 8000 };

  constructor(engine: SttEngine, frames: AsyncIterable<AudioFrame>, options: { log: Logger; now: () => number; recordAudio: boolean; signal: AbortSignal }) {
    this.#log = options.log;
    this.#now = options.now;
    this.#recordAudio = options.recordAudio;
    this.#signal = options.signal;
    void this.#run(engine.transcribe(this.#tee(frames), { signal: options.signal, botSpeaking: () => this.#watch !== undefined || this.#now() - this.#lastWatchEndMs < BOT_TURN_GAP_MS }));
  }

  async nextUtterance(options: { timeoutMs: number; signal: AbortSignal }): Promise<Utterance | undefined> {
    const deadline = this.#now() + options.timeoutMs;
    for (;;) {
      const ready = this.#finals.shift();
      if (ready !== undefined) return ready;
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#ended || options.signal.aborted) return undefined;
      // Silence counts only until the caller starts speaking; then we wait for the end.
      const waitMs = this.#inSpeech ? undefined : deadline - this.#now();
      if (waitMs !== undefined && waitMs <= 0) return undefined;
      await this.#sleep(waitMs, options.signal);
    }
  }

  watchBargeIn(options: { ignoreFirstMs: number; signal: AbortSignal }): Promise<boolean> {
    this.#watch?.resolve(false);
    return new Promise<boolean>((resolve) => {
      const finish = (hit: boolean) => {
        if (this.#watch === watch) {
          this.#watch = undefined;
          this.#lastWatchEndMs = this.#now();
        }
        if (watch.timer !== undefined) clearTimeout(watch.timer);
        options.signal.removeEventListener('abort', onAbort);
        resolve(hit);
      };
      const watch: Watch = { startedAtMs: this.#now(), ignoreFirstMs: options.ignoreFirstMs, resolve: finish, timer: undefined };
      const onAbort = () => finish(false);
      this.#watch = watch;
      if (options.signal.aborted) finish(false);
      else {
        options.signal.addEventListener('abort', onAbort, { once: true });
        // The caller may already be talking over the bot (started in the gap between two sentences).
        this.#tryBargeIn();
      }
    });
  }

  /** Resolves the watch when loud caller speech is going on and the echo window of the sentence has passed. */
  #tryBargeIn(): void {
    const watch = this.#watch;
    if (watch === undefined || !this.#loudSpeech || !this.#inSpeech || this.#segmentBargedIn) return;
    const waitMs = watch.ignoreFirstMs - (this.#now() - watch.startedAtMs);
    if (waitMs > 0) {
      if (watch.timer === undefined) watch.timer = setTimeout(() => { watch.timer = undefined; this.#tryBargeIn(); }, waitMs);
      return;
    }
    this.#segmentBargedIn = true;
    this.#log.info('STT', 'caller barged in');
    watch.resolve(true);
  }

  discardPending(): void {
    this.#finals.length = 0;
  }

  async #run(events: AsyncIterable<SttEvent>): Promise<void> {
    try {
      for await (const event of events) this.#handle(event);
    } catch (error) {
      // A hangup ends the stream with the hangup as its error: that is the call ending, not a failure.
      if (!this.#ended && !this.#signal.aborted) {
        this.#failure = error;
        this.#log.error('STT', 'speech recognition stopped', { error: error instanceof Error ? error.message : String(error) });
      }
    } finally {
      this.#ended = true;
      this.#wakeUp();
    }
  }

  #handle(event: SttEvent): void {
    if (event.type === 'speech-start') {
      this.#inSpeech = true;
      this.#segmentBargedIn = false;
      this.#loudSpeech = false;
      this.#wakeUp();
      return;
    }
    if (event.type === 'barge-in') {
      // Remembered for the whole segment: the engine reports it once, maybe between two sentences
      // or inside a sentence's echo window, and the next watch must still see it.
      this.#loudSpeech = true;
      this.#tryBargeIn();
      return;
    }
    if (event.type === 'partial') return;
    this.#inSpeech = false;
    this.#loudSpeech = false;
    // Dropped only when the caller's speech ended while the bot still spoke: a caller who starts
    // answering just before the bot finishes is heard.
    const overBot = this.#watch !== undefined;
    if (overBot && !this.#segmentBargedIn) {
      this.#log.info('STT', 'ignored speech over the bot (no barge-in)', { text: event.text });
    } else {
      this.#finals.push(this.#toUtterance(event));
    }
    this.#wakeUp();
  }

  #toUtterance(event: FinalEvent): Utterance {
    const now = this.#now();
    // Stream time -> wall clock: the final is reported `decodeMs` after the speech ended.
    const endWall = now - event.decodeMs - Math.max(0, event.atMs - event.speechEndMs);
    return {
      text: event.text.trim(),
      speechStartMs: endWall - (event.speechEndMs - event.speechStartMs),
      speechEndMs: endWall,
      sttMs: now - endWall,
      audio: this.#recordAudio ? this.#slice(event.speechStartMs, event.speechEndMs) : undefined,
    };
  }

  /**
   * Every frame to the engine (and the recording). fd 3 is not a clock: a leg with VAD/DTX or a
   * silent Local channel sends nothing when the caller stops talking, and the endpointer only moves
   * on audio. So while the caller is mid-utterance and fd 3 goes quiet, silence is fed in its place.
   */
  async *#tee(frames: AsyncIterable<AudioFrame>): AsyncGenerator<AudioFrame> {
    const iterator = frames[Symbol.asyncIterator]();
    let pending = iterator.next();
    let rateHz = 8000;
    let filling = false;
    for (;;) {
      // A short stall is a late read (a busy box), not silence: only a long gap is filled.
      const waitMs = filling ? FD3_FILL_STEP_MS : FD3_GAP_MS;
      const next = this.#inSpeech ? await withGapTimeout(pending, waitMs) : await pending;
      if (next === 'gap') {
        filling = true;
        const frameSamples = (rateHz * 20) / 1000;
        for (let ms = 0; ms < waitMs; ms += 20) yield { sampleRateHz: rateHz, samples: new Int16Array(frameSamples) };
        continue;
      }
      filling = false;
      if (next.done === true) return;
      pending = iterator.next();
      const frame = next.value;
      rateHz = frame.sampleRateHz;
      if (this.#recordAudio) this.#remember(frame);
      yield frame;
    }
  }

  #remember(frame: AudioFrame): void {
    const audio = this.#audio;
    audio.rateHz = frame.sampleRateHz;
    audio.frames.push(frame.samples);
    audio.streamMs += (frame.samples.length / frame.sampleRateHz) * 1000;
    // Keep at most the longest utterance plus margin (60 s).
    while (audio.frames.length > 3000) {
      const dropped = audio.frames.shift();
      if (dropped !== undefined) audio.firstMs += (dropped.length / audio.rateHz) * 1000;
    }
  }

  #slice(fromMs: number, toMs: number): { samples: Int16Array; sampleRateHz: number } {
    const audio = this.#audio;
    const all = new Int16Array(audio.frames.reduce((sum, frame) => sum + frame.length, 0));
    let offset = 0;
    for (const frame of audio.frames) { all.set(frame, offset); offset += frame.length; }
    const toIndex = (ms: number) => Math.max(0, Math.min(all.length, Math.round(((ms - audio.firstMs) / 1000) * audio.rateHz)));
    return { samples: all.slice(toIndex(fromMs), toIndex(toMs)), sampleRateHz: audio.rateHz };
  }

  #sleep(timeoutMs: number | undefined, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }

  #wakeUp(): void {
    this.#wake?.();
  }
}
