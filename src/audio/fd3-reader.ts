import { createReadStream, fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import { AsyncQueue } from '../runtime/async-queue.ts';
import { Fd3Error } from './errors.ts';

/** EAGI audio formats: `slin` (8 kHz, the default) or `slin16` (`EAGI_AUDIO_FORMAT=slin16`). */
export type EagiAudioFormat = 'slin' | 'slin16';

export const FRAME_MS = 20;

export function sampleRateOf(format: EagiAudioFormat): number {
  return format === 'slin16' ? 16000 : 8000;
}

/** 20 ms of caller audio. */
export interface AudioFrame {
  samples: Int16Array;
  sampleRateHz: number;
  /** Audio time of the first sample: ms of audio received before it (not wall time). */
  timestampMs: number;
  /** performance.now() when the bytes were read. */
  receivedAtMs: number;
  /**
   * performance.now() when the frame's last sample was captured, estimated: frames read together
   * left Asterisk one every 20 ms, the last of them just before the read.
   */
  capturedAtMs: number;
}

export interface Fd3Stats {
  bytes: number;
  frames: number;
  /** Reads that brought much more audio than real time allows: we were late reading fd 3. */
  overruns: number;
  /** Frames dropped because the consumer fell behind by more than `maxQueuedMs`. */
  droppedFrames: number;
}

export interface Fd3ReaderOptions {
  /** Undefined: bytes are held (not framed) until `setFormat()` says what they are. */
  format?: EagiAudioFormat | undefined;
  logger?: Logger;
  /** A single read carrying more than this much audio counts as an overrun (default 200 ms). */
  overrunThresholdMs?: number;
  /** Frames kept for a slow consumer before the oldest are dropped (default 10000 ms). */
  maxQueuedMs?: number;
}

/**
 * Reads fd 3 continuously (never paused: Asterisk drops audio that does not fit the pipe) and
 * turns the byte stream into 20 ms frames. Iterate it once with `for await`; the iteration ends
 * at EOF (a hangup cause) or `close()`.
 */
export class Fd3Reader implements AsyncIterable<AudioFrame> {
  readonly #stream: Readable;
  readonly #logger: Logger;
  readonly #overrunBytes: () => number;
  readonly #maxQueuedFrames: () => number;
  #format: EagiAudioFormat;
  #formatKnown: boolean;
  #pending: Buffer = Buffer.alloc(0);
  readonly #queue = new AsyncQueue<AudioFrame>();
  #audioMs = 0;
  #ended = false;
  readonly #eof = new AbortController();
  readonly stats: Fd3Stats = { bytes: 0, frames: 0, overruns: 0, droppedFrames: 0 };
  /** The fd when it is a kernel pipe (EAGI's fd 3), whose capacity can be grown (src/runtime/pipe-size.ts). */
  pipeFd: number | undefined;

  constructor(stream: Readable, options: Fd3ReaderOptions = {}) {
    this.#stream = stream;
    this.#format = options.format ?? 'slin';
    this.#formatKnown = options.format !== undefined;
    this.#logger = options.logger ?? silentLogger;
    const overrunMs = options.overrunThresholdMs ?? 200;
    const maxQueuedMs = options.maxQueuedMs ?? 10_000;
    this.#overrunBytes = () => (sampleRateOf(this.#format) * 2 * overrunMs) / 1000;
    this.#maxQueuedFrames = () => Math.max(1, Math.floor(maxQueuedMs / FRAME_MS));
    stream.on('data', (chunk: Buffer) => this.#receive(chunk));
    stream.on('end', () => this.#end('eof'));
    stream.on('close', () => this.#end('eof'));
    stream.on('error', (error: Error) => {
      this.#logger.warn('AGI', 'fd 3 read error', { error: error.message });
      this.#end('error');
    });
  }

  /**
   * Open fd 3 (or another fd) without blocking the event loop. A pipe or socket is read through
   * `net.Socket` (epoll, closes at once); a regular file through a read stream. Throws an
   * `Fd3Error` (`FD3_UNAVAILABLE`) when the fd is not open (plain AGI() instead of EAGI()).
   */
  static open(fd = 3, options: Fd3ReaderOptions = {}): Fd3Reader {
    let stats;
    try {
      stats = fstatSync(fd);
    } catch (error) {
      throw new Fd3Error(`fd ${fd} is not open: no caller audio. Start voicebot with EAGI(), not AGI()`, { cause: error });
    }
    if (stats.isFIFO() || stats.isSocket()) {
      const reader = new Fd3Reader(new Socket({ fd, readable: true, writable: false }), options);
      if (stats.isFIFO()) reader.pipeFd = fd;
      return reader;
    }
    if (stats.isFile()) {
      return new Fd3Reader(createReadStream('', { fd, autoClose: true }), options);
    }
    throw new Fd3Error(`fd ${fd} is neither a pipe nor a file: no caller audio`);
  }

  get format(): EagiAudioFormat {
    return this.#format;
  }

  /** Switch format (after `GET VARIABLE EAGI_AUDIO_FORMAT`); bytes not yet framed use the new size. */
  setFormat(format: EagiAudioFormat): void {
    this.#format = format;
    this.#formatKnown = true;
    this.#framePending(performance.now());
  }

  /** Aborted when fd 3 reaches EOF or fails (a hangup with AGIEXITONHANGUP=yes). */
  get eofSignal(): AbortSignal {
    return this.#eof.signal;
  }

  get frameBytes(): number {
    return (sampleRateOf(this.#format) * 2 * FRAME_MS) / 1000;
  }

  close(): void {
    this.#stream.destroy();
    this.#end('closed');
  }

  [Symbol.asyncIterator](): AsyncIterator<AudioFrame> {
    return this.#queue[Symbol.asyncIterator]();
  }

  #receive(chunk: Buffer): void {
    const receivedAtMs = performance.now();
    this.stats.bytes += chunk.byteLength;
    if (chunk.byteLength > this.#overrunBytes()) {
      this.stats.overruns += 1;
      this.#logger.warn('AGI', 'fd 3 overrun: a read returned more audio than real time allows, the process fell behind', {
        bytes: chunk.byteLength, audioMs: Math.round((chunk.byteLength / 2 / sampleRateOf(this.#format)) * 1000), overruns: this.stats.overruns,
      });
    }
    this.#pending = this.#pending.byteLength === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    if (!this.#formatKnown) {
      // Hold raw bytes until the format is known, bounded like the frame queue.
      const maxBytes = this.#maxQueuedFrames() * 640;
      if (this.#pending.byteLength > maxBytes) this.#pending = Buffer.from(this.#pending.subarray(this.#pending.byteLength - maxBytes));
      return;
    }
    this.#framePending(receivedAtMs);
  }

  #framePending(receivedAtMs: number): void {
    const size = this.frameBytes;
    const frames = Math.floor(this.#pending.byteLength / size);
    let offset = 0;
    for (let index = 0; index < frames; index += 1) {
      this.#pushFrame(this.#pending.subarray(offset, offset + size), receivedAtMs, receivedAtMs - (frames - 1 - index) * FRAME_MS);
      offset += size;
    }
    this.#pending = Buffer.from(this.#pending.subarray(offset));
  }

  #pushFrame(bytes: Buffer, receivedAtMs: number, capturedAtMs = receivedAtMs): void {
    const samples = new Int16Array(bytes.byteLength >> 1);
    for (let i = 0; i < samples.length; i += 1) samples[i] = bytes.readInt16LE(i * 2);
    const sampleRateHz = sampleRateOf(this.#format);
    this.#queue.push({ samples, sampleRateHz, timestampMs: this.#audioMs, receivedAtMs, capturedAtMs });
    this.#audioMs += (samples.length / sampleRateHz) * 1000;
    this.stats.frames += 1;
    this.stats.droppedFrames += this.#queue.dropOldest(this.#maxQueuedFrames());
  }

  #end(how: 'eof' | 'error' | 'closed'): void {
    if (this.#ended) return;
    this.#formatKnown = true;
    this.#framePending(performance.now());
    if (this.#pending.byteLength >= 2) this.#pushFrame(this.#pending.subarray(0, this.#pending.byteLength & ~1), performance.now());
    this.#pending = Buffer.alloc(0);
    this.#ended = true;
    if (how !== 'closed') this.#eof.abort(new Error(`fd 3 ${how}`));
    this.#queue.end();
  }
}
