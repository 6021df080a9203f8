import { closeSync, writeSync } from 'node:fs';

export interface CallerAudioPumpOptions {
  /** The parent's non-blocking end of the fd 3 pipe. */
  fd: number;
  /** Caller audio at the channel rate. */
  audio: Int16Array;
  rateHz: number;
  /** After the caller audio: keep sending silent frames or nothing. */
  afterAudio: 'silence' | 'nothing' | undefined;
  /** Call time runs this many times faster than real time. */
  scale: number;
  /** What the line makes of caller frame n (undefined: send nothing); every frame goes through it, in order. */
  line?: (index: number, caller: Int16Array | undefined) => Int16Array | undefined;
  /** Frame `index` (call time index·20 ms) went into the pipe whole. */
  sent?: (index: number, frame: Int16Array) => void;
  nowMs(): number;
  /** Whether the channel is still up; the pump stops once it is not. */
  alive(): boolean;
  event(kind: string, fields?: Record<string, unknown>): void;
}

/**
 * Writes caller audio to fd 3 in 20 ms frames at call-time pace, as Asterisk does: frames not due
 * while audio is paused are skipped, and a frame that does not fit in a full pipe is dropped.
 */
export class CallerAudioPump {
  readonly #options: CallerAudioPumpOptions;
  #fd: number | undefined;
  #flowing = true;
  #framesSent = 0;
  #written = 0;
  #dropped = 0;
  readonly #droppedAtMs: number[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: CallerAudioPumpOptions) {
    this.#options = options;
    this.#fd = options.fd;
  }

  /** Bytes written to fd 3 so far. */
  get bytesWritten(): number {
    return this.#written;
  }

  /** Bytes dropped because the pipe was full (EAGAIN). */
  get bytesDropped(): number {
    return this.#dropped;
  }

  /** Wall-clock times (epoch ms) of the dropped frames, to tell which phase of a call lost audio. */
  get droppedAtMs(): readonly number[] {
    return this.#droppedAtMs;
  }

  /** fd 3 carries caller audio except during EXEC, CONTROL STREAM FILE and RECORD FILE. */
  setFlowing(flowing: boolean): void {
    this.#flowing = flowing;
  }

  start(): void {
    const { audio, rateHz, scale } = this.#options;
    const frameSamples = (rateHz * 20) / 1000;
    const tick = () => {
      this.#timer = undefined;
      if (this.#fd === undefined || !this.#options.alive()) return;
      const due = Math.floor(this.#options.nowMs() / 20);
      while (this.#framesSent < due && this.#fd !== undefined) {
        const index = this.#framesSent;
        const start = index * frameSamples;
        this.#framesSent += 1;
        const caller = audio.subarray(start, start + frameSamples);
        let frame: Int16Array | undefined = caller.length > 0 ? caller
          : this.#options.afterAudio === 'nothing' ? undefined : new Int16Array(frameSamples);
        if (this.#options.line !== undefined) frame = this.#options.line(index, frame);
        if (frame === undefined || !this.#flowing) continue;
        this.#write(index, frame);
      }
      this.#timer = setTimeout(tick, Math.max(1, 20 / scale - 1));
    };
    tick();
  }

  /** Stop sending frames (fd 3 stays open). */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  /** Close fd 3 (idempotent). */
  close(): void {
    if (this.#fd === undefined) return;
    try { closeSync(this.#fd); } catch { /* closed */ }
    this.#fd = undefined;
  }

  #write(index: number, frame: Int16Array): void {
    if (this.#fd === undefined) return;
    const bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    try {
      const written = writeSync(this.#fd, bytes);
      this.#written += written;
      if (written === bytes.byteLength) this.#options.sent?.(index, frame);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        this.#dropped += bytes.byteLength;
        this.#droppedAtMs.push(Date.now());
        return;
      }
      this.#options.event('fd3_write_error', { code });
      this.close();
    }
  }
}
