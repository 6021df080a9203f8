import type { Logger } from '../log.ts';
import { encodeMedia, frameSamples, type MediaStart } from './media-protocol.ts';

/** The media socket as the player needs it. */
export interface PlayerLink {
  send(data: string | Uint8Array): boolean;
  drained(): Promise<void>;
  /** Aborted when the socket closed. */
  readonly closed: AbortSignal;
}

export interface PlaybackResult {
  /** Audio the caller heard: all of it when finished, an estimate (sent minus still queued) when stopped. */
  playedMs: number;
  /** Stopped by `signal` or by a newer playback (FLUSH_MEDIA was sent). */
  interrupted: boolean;
  /** The socket closed before the end (hangup, media channel gone). */
  closed: boolean;
}

/**
 * Default lead of audio queued in Asterisk ahead of playout: enough to ride out an event-loop
 * stall, small enough that FLUSH_MEDIA drops little and XOFF (900 frames) is never near.
 */
export const DEFAULT_LEAD_MS = 300;
/** After the last frame, how long past the expected end we wait for MEDIA_MARK_PROCESSED. */
const MARK_GRACE_MS = 2000;
/** Longest wait for MEDIA_XON (900 queued frames play out in 18 s); then the playback gives up. */
const XON_WAIT_MS = 20_000;

/**
 * Sends PCM as whole frames paced by a model of Asterisk's playout queue (one frame per ptime
 * from the moment it is queued), obeys MEDIA_XOFF/MEDIA_XON, ends at MEDIA_MARK_PROCESSED, and
 * stops with FLUSH_MEDIA. One playback at a time: a new one flushes the old.
 */
export class MediaPlayer {
  readonly #link: PlayerLink;
  readonly #start: MediaStart;
  readonly #leadMs: number;
  readonly #log: Logger;
  /** performance.now() when the audio queued in Asterisk has played out (model). */
  #playoutEndMs = 0;
  #xoff = false;
  #markCount = 0;
  readonly #marksProcessed = new Set<string>();
  readonly #listeners = new Set<() => void>();
  #current: { stop: AbortController; done: Promise<PlaybackResult> } | undefined;

  constructor(link: PlayerLink, start: MediaStart, options: { leadMs?: number; log: Logger }) {
    this.#link = link;
    this.#start = start;
    this.#leadMs = Math.max(options.leadMs ?? DEFAULT_LEAD_MS, start.ptimeMs);
    this.#log = options.log;
  }

  /** Audio sent but (by the model) not yet played out. */
  queuedMs(): number {
    return Math.max(0, this.#playoutEndMs - performance.now());
  }

  /** Feed the control messages that matter for playback. */
  onControl(name: string, argument: string): void {
    if (name === 'MEDIA_XOFF') this.#xoff = true;
    else if (name === 'MEDIA_XON') this.#xoff = false;
    else if (name === 'MEDIA_MARK_PROCESSED') this.#marksProcessed.add(argument.trim());
    else return;
    for (const listener of [...this.#listeners]) listener();
  }

  /** Wakes every wait (the socket closed). */
  wake(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  async play(samples: Int16Array, options: { signal?: AbortSignal } = {}): Promise<PlaybackResult> {
    const previous = this.#current;
    if (previous !== undefined) {
      previous.stop.abort();
      await previous.done;
    }
    const stop = new AbortController();
    const scope = AbortSignal.any([stop.signal, this.#link.closed, ...(options.signal === undefined ? [] : [options.signal])]);
    const done = this.#run(samples, scope);
    const current = { stop, done };
    this.#current = current;
    try {
      return await done;
    } finally {
      if (this.#current === current) this.#current = undefined;
    }
  }

  async #run(samples: Int16Array, scope: AbortSignal): Promise<PlaybackResult> {
    const { ptimeMs, sampleRateHz } = this.#start;
    const perFrame = frameSamples(this.#start);
    const totalMs = (samples.length * 1000) / sampleRateHz;
    const frameCount = Math.ceil(samples.length / perFrame);
    let sent = 0;
    while (sent < frameCount && !scope.aborted) {
      if (this.#xoff && !(await this.#until(() => !this.#xoff, XON_WAIT_MS, scope))) {
        if (!scope.aborted) this.#log.warn('PLAY', 'no MEDIA_XON from Asterisk; playback abandoned', { waitedMs: XON_WAIT_MS });
        break;
      }
      const leadMs = this.#playoutEndMs - performance.now();
      if (leadMs >= this.#leadMs) {
        await this.#until(() => false, Math.max(1, leadMs - this.#leadMs + 1), scope);
        continue;
      }
      const frame = new Int16Array(perFrame);
      frame.set(samples.subarray(sent * perFrame, (sent + 1) * perFrame));
      const accepted = this.#link.send(encodeMedia(frame, this.#start.format));
      this.#playoutEndMs = Math.max(this.#playoutEndMs, performance.now()) + ptimeMs;
      sent += 1;
      if (!accepted) await this.#link.drained();
    }
    const sentMs = Math.min(totalMs, sent * ptimeMs);
    if (scope.aborted || sent < frameCount) return this.#stopped(sentMs, scope);
    const mark = `voicebot-${++this.#markCount}`;
    this.#link.send(`MARK_MEDIA ${mark}`);
    const reached = await this.#until(() => this.#marksProcessed.has(mark), this.queuedMs() + MARK_GRACE_MS, scope);
    this.#marksProcessed.delete(mark);
    if (!reached && scope.aborted) return this.#stopped(sentMs, scope);
    if (!reached) this.#log.debug('PLAY', 'no MEDIA_MARK_PROCESSED in time; taking the playback as played', { mark });
    return { playedMs: totalMs, interrupted: false, closed: false };
  }

  /** The end of a playback that did not finish: flush what is queued, estimate what was heard. */
  #stopped(sentMs: number, scope: AbortSignal): PlaybackResult {
    const queuedMs = this.queuedMs();
    const playedMs = Math.max(0, sentMs - queuedMs);
    if (this.#link.closed.aborted) return { playedMs, interrupted: false, closed: true };
    this.#link.send('FLUSH_MEDIA');
    this.#playoutEndMs = performance.now();
    return { playedMs, interrupted: scope.aborted, closed: false };
  }

  /** True once `ready()` holds; false when `timeoutMs` passed or `signal` aborted first. */
  #until(ready: () => boolean, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (value: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#listeners.delete(check);
        resolve(value);
      };
      const check = () => { if (ready()) finish(true); };
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(ready()), timeoutMs);
      this.#listeners.add(check);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
