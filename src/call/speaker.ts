import { readFileSync } from 'node:fs';
import type { Logger } from '../log.ts';
import type { CallChannel, Ear, PlayResult, RenderedSpeech } from './ports.ts';

export interface SpeakerSettings {
  bargeIn: boolean;
  skipKey: string;
  operatorKey: string;
}

export type PlayOutcome =
  | { kind: 'played' }
  /** Stopped part-way: fraction of the file the caller heard. */
  | { kind: 'barge-in'; heardFraction: number }
  | { kind: 'skipped'; heardFraction: number; digit: string }
  | { kind: 'operator'; heardFraction: number; digit: string }
  /** `signal` ended playback (the caller hung up): what was heard is estimated from elapsed time. */
  | { kind: 'aborted'; heardFraction: number }
  | { kind: 'failed' };

/** Why the caller did not hear all of a bot turn. */
export type Interruption = 'barge-in' | 'operator' | 'hangup';

/** Plays bot speech on one channel; each bot turn gets its own BotSpeech. */
export class Speaker {
  readonly #channel: CallChannel;
  readonly #ear: Ear;
  readonly #settings: SpeakerSettings;
  readonly #log: Logger;

  constructor(channel: CallChannel, ear: Ear, settings: SpeakerSettings, log: Logger) {
    this.#channel = channel;
    this.#ear = ear;
    this.#settings = settings;
    this.#log = log;
  }

  /** A bot turn's speech, scoped to `parent` (the call). */
  begin(parent: AbortSignal): BotSpeech {
    return new BotSpeech(this.#channel, this.#ear, this.#settings, this.#log, parent);
  }

  /** One file as a turn of its own (reprompt, goodbye). */
  async play(speech: RenderedSpeech, signal: AbortSignal): Promise<PlayOutcome> {
    const turn = this.begin(signal);
    try {
      return await turn.play(speech, '');
    } finally {
      turn.finish();
    }
  }
}

/**
 * One bot turn's speech: owns the turn's AbortController, what the caller actually heard and why
 * it stopped. Barge-in is armed for the whole turn, between sentences too: caller speech that
 * starts while the next sentence is synthesised still interrupts. Playback stops by writing a
 * new command while STREAM FILE runs (that playback then sends no reply of its own).
 */
export class BotSpeech {
  readonly #controller = new AbortController();
  readonly #channel: CallChannel;
  readonly #ear: Ear;
  readonly #settings: SpeakerSettings;
  readonly #log: Logger;
  readonly #parent: AbortSignal;
  readonly #onParentAbort = () => this.#controller.abort();
  #heard: string[] = [];
  #interruption: Interruption | undefined;
  #dtmf = '';
  #bargedIn = false;
  #stopPlayback: AbortController | undefined;

  constructor(channel: CallChannel, ear: Ear, settings: SpeakerSettings, log: Logger, parent: AbortSignal) {
    this.#channel = channel;
    this.#ear = ear;
    this.#settings = settings;
    this.#log = log;
    this.#parent = parent;
    parent.addEventListener('abort', this.#onParentAbort, { once: true });
    if (parent.aborted) this.#controller.abort();
    if (settings.bargeIn) void this.#watchBargeIns();
  }

  /** Aborted when the turn ends: barge-in, the operator key, hangup, or `finish()`. LLM and TTS work of the turn listen to it. */
  get signal(): AbortSignal { return this.#controller.signal; }
  get heardText(): string { return this.#heard.filter((part) => part !== '').join(' '); }
  get interruption(): Interruption | undefined { return this.#interruption; }
  get dtmf(): string { return this.#dtmf; }

  /** Marks the turn as cut by a hangup when text was generated but not all heard. */
  markHangup(): void {
    this.#interruption ??= 'hangup';
  }

  /** Plays one rendered sentence (`text` is what it says, for the heard text); `keys`: the escape digits (skip and operator by default). */
  async play(speech: RenderedSpeech, text: string, keys?: string): Promise<PlayOutcome> {
    if (this.#bargedIn) return this.#stop('barge-in', { kind: 'barge-in', heardFraction: 0 }, text);
    if (this.#controller.signal.aborted) return { kind: 'aborted', heardFraction: 0 };
    const stop = new AbortController();
    this.#stopPlayback = stop;
    const stopOnEnd = () => stop.abort();
    this.#controller.signal.addEventListener('abort', stopOnEnd, { once: true });
    if (!this.#settings.bargeIn) this.#ear.discardPending();
    this.#ear.playing(referenceOf(speech));
    const escapeDigits = keys ?? this.#settings.skipKey + this.#settings.operatorKey;
    const startedAt = performance.now();
    try {
      let result: PlayResult;
      try {
        result = await this.#channel.play(speech.file, { escapeDigits, signal: stop.signal });
      } catch (error) {
        // A hangup during playback: the caller heard the file up to now.
        if (!this.#parent.aborted) throw error;
        const heardFraction = Math.min(1, (performance.now() - startedAt) / Math.max(1, speech.durationMs));
        return this.#stop('hangup', { kind: 'aborted', heardFraction }, text);
      }
      return this.#outcome(speech, result, text);
    } finally {
      this.#ear.playing(undefined);
      this.#stopPlayback = undefined;
      this.#controller.signal.removeEventListener('abort', stopOnEnd);
      if (!this.#settings.bargeIn) this.#ear.discardPending();
    }
  }

  /** Ends the turn's scope: pending LLM/TTS work stops, barge-in is disarmed. */
  finish(): void {
    this.#controller.abort();
    this.#parent.removeEventListener('abort', this.#onParentAbort);
  }

  #outcome(speech: RenderedSpeech, result: PlayResult, text: string): PlayOutcome {
    const totalSamples = Math.max(1, (speech.durationMs / 1000) * speech.sampleRateHz);
    const heardFraction = result.endposSamples === undefined
      ? Math.min(1, result.elapsedMs / Math.max(1, speech.durationMs))
      : Math.min(1, result.endposSamples / totalSamples);
    this.#log.info('PLAY', 'played', {
      file: speech.file, ms: Math.round(heardFraction * speech.durationMs), of: Math.round(speech.durationMs),
      digit: result.digit, interrupted: result.interrupted, bargeIn: this.#bargedIn,
    });
    if (result.failed) return { kind: 'failed' };
    const digit = result.digit;
    if (digit !== undefined && digit === this.#settings.operatorKey) {
      this.#dtmf += digit;
      return this.#stop('operator', { kind: 'operator', heardFraction, digit }, text);
    }
    if (digit !== undefined && digit === this.#settings.skipKey) {
      this.#dtmf += digit;
      this.#heard.push(heardPrefix(text, heardFraction));
      return { kind: 'skipped', heardFraction, digit };
    }
    if (this.#bargedIn) return this.#stop('barge-in', { kind: 'barge-in', heardFraction }, text);
    if (result.interrupted) return this.#stop('hangup', { kind: 'aborted', heardFraction }, text);
    this.#heard.push(text);
    return { kind: 'played' };
  }

  #stop<T extends PlayOutcome & { heardFraction: number }>(cause: Interruption, outcome: T, text: string): T {
    this.#heard.push(heardPrefix(text, outcome.heardFraction));
    this.#interruption ??= cause;
    this.#controller.abort();
    return outcome;
  }

  async #watchBargeIns(): Promise<void> {
    try {
      for await (const bargeIn of this.#ear.bargeIns(this.#controller.signal)) {
        this.#log.info('PLAY', 'barge-in stops the bot', { sinceSpeechMs: Math.round(Date.now() - bargeIn.speechStartMs) });
        this.#bargedIn = true;
        this.#stopPlayback?.abort();
        return;
      }
    } catch {
      // The ear failed: the session learns it from nextUtterance.
    }
  }
}

/** The played audio as the echo reference (raw slin at the file's rate). */
function referenceOf(speech: RenderedSpeech): { samples: Int16Array; sampleRateHz: number } | undefined {
  if (speech.soundPath === undefined) return undefined;
  try {
    const bytes = readFileSync(speech.soundPath);
    return { samples: new Int16Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 2)), sampleRateHz: speech.sampleRateHz };
  } catch {
    return undefined;
  }
}

/** The words of `text` a caller heard when playback stopped at `fraction` (by character position). */
export function heardPrefix(text: string, fraction: number): string {
  if (fraction >= 1) return text;
  const cut = Math.floor(text.length * Math.max(0, fraction));
  const prefix = text.slice(0, cut);
  const lastSpace = prefix.lastIndexOf(' ');
  return (lastSpace === -1 ? '' : prefix.slice(0, lastSpace)).trim();
}
