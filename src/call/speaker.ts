import type { Logger } from '../log.ts';
import type { CallChannel, Ear, PlayResult, RenderedSpeech } from './ports.ts';

export interface SpeakerSettings {
  bargeIn: boolean;
  bargeInIgnoreFirstMs: number;
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

/**
 * Plays one rendered file with barge-in and DTMF. Barge-in writes a new command while STREAM FILE
 * runs, which is how Asterisk stops playback (that playback then sends no reply of its own).
 */
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

  async play(speech: RenderedSpeech, signal: AbortSignal): Promise<PlayOutcome> {
    if (signal.aborted) return { kind: 'aborted', heardFraction: 0 };
    const stop = new AbortController();
    const stopOnAbort = () => stop.abort();
    signal.addEventListener('abort', stopOnAbort, { once: true });
    const watch = new AbortController();
    let bargedIn = false;
    if (this.#settings.bargeIn) {
      void this.#ear.watchBargeIn({
        ignoreFirstMs: this.#settings.bargeInIgnoreFirstMs,
        signal: watch.signal,
      }).then((hit) => {
        if (!hit || stop.signal.aborted) return;
        bargedIn = true;
        stop.abort();
      }, () => undefined);
    } else {
      this.#ear.discardPending();
    }
    const escapeDigits = this.#settings.skipKey + this.#settings.operatorKey;
    const startedAt = performance.now();
    try {
      let result: PlayResult;
      try {
        result = await this.#channel.play(speech.file, { escapeDigits, signal: stop.signal });
      } catch (error) {
        // A hangup during playback: the caller heard the file up to now; the caller of play()
        // still records the turn before the session ends.
        if (!signal.aborted) throw error;
        return { kind: 'aborted', heardFraction: Math.min(1, (performance.now() - startedAt) / Math.max(1, speech.durationMs)) };
      }
      const totalSamples = Math.max(1, (speech.durationMs / 1000) * speech.sampleRateHz);
      const heardFraction = result.endposSamples === undefined
        ? Math.min(1, result.elapsedMs / Math.max(1, speech.durationMs))
        : Math.min(1, result.endposSamples / totalSamples);
      this.#log.info('PLAY', 'played', {
        file: speech.file, ms: Math.round(heardFraction * speech.durationMs), of: Math.round(speech.durationMs),
        digit: result.digit, interrupted: result.interrupted, bargeIn: bargedIn,
      });
      if (result.failed) return { kind: 'failed' };
      if (result.digit !== undefined && result.digit === this.#settings.operatorKey) return { kind: 'operator', heardFraction, digit: result.digit };
      if (result.digit !== undefined && result.digit === this.#settings.skipKey) return { kind: 'skipped', heardFraction, digit: result.digit };
      if (bargedIn) return { kind: 'barge-in', heardFraction };
      if (result.interrupted) return { kind: 'aborted', heardFraction };
      return { kind: 'played' };
    } finally {
      watch.abort();
      signal.removeEventListener('abort', stopOnAbort);
      if (!this.#settings.bargeIn) this.#ear.discardPending();
    }
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
