import { resample } from '../../audio/resample.ts';

/**
 * What the bot is playing, laid against the caller stream: the echo canceller's reference.
 * Asterisk starts a STREAM FILE at once, so the reference begins with the first caller frame
 * captured after the playback was written, and then goes on frame by frame (both sides run on
 * Asterisk's clock). Frames read late but captured before (an fd 3 backlog, e.g. while a model
 * loads) get no reference; frames without a capture time (tests, gap fill) count as just captured.
 * The line's own delay is found by the canceller.
 */
export class EchoReference {
  #audio: { samples: Int16Array; sampleRateHz: number } | undefined;
  #startedAtMs = 0;
  #begun = false;
  #converted: Int16Array | undefined;
  #position = 0;

  set(audio: { samples: Int16Array; sampleRateHz: number } | undefined, startedAtMs = performance.now()): void {
    this.#audio = audio;
    this.#startedAtMs = startedAtMs;
    this.#begun = false;
    this.#converted = undefined;
    this.#position = 0;
  }

  /** The reference for the next caller frame of `length` samples, or undefined when nothing plays then. */
  next(length: number, sampleRateHz: number, capturedAtMs?: number): Int16Array | undefined {
    const audio = this.#audio;
    if (audio === undefined) return undefined;
    if (!this.#begun) {
      if (capturedAtMs !== undefined && capturedAtMs < this.#startedAtMs) return undefined;
      this.#begun = true;
    }
    this.#converted ??= audio.sampleRateHz === sampleRateHz ? audio.samples : resample(audio.samples, audio.sampleRateHz, sampleRateHz);
    const samples = this.#converted;
    if (this.#position >= samples.length) return undefined;
    const out = new Int16Array(length);
    out.set(samples.subarray(this.#position, this.#position + length));
    this.#position += length;
    return out;
  }
}
