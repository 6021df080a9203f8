import { resample } from '../../audio/resample.ts';

/**
 * What the bot is playing, consumed frame by frame in step with the caller stream: the echo
 * canceller's reference. Asterisk starts a STREAM FILE at once, so the reference starts with the
 * next caller frame; the fd 3 backlog and the line's delay are found by the canceller.
 */
export class EchoReference {
  #audio: { samples: Int16Array; sampleRateHz: number } | undefined;
  #converted: Int16Array | undefined;
  #position = 0;

  set(audio: { samples: Int16Array; sampleRateHz: number } | undefined): void {
    this.#audio = audio;
    this.#converted = undefined;
    this.#position = 0;
  }

  /** The next `length` samples at `sampleRateHz`, or undefined when nothing plays. */
  next(length: number, sampleRateHz: number): Int16Array | undefined {
    const audio = this.#audio;
    if (audio === undefined) return undefined;
    this.#converted ??= audio.sampleRateHz === sampleRateHz ? audio.samples : resample(audio.samples, audio.sampleRateHz, sampleRateHz);
    const samples = this.#converted;
    if (this.#position >= samples.length) return undefined;
    const out = new Int16Array(length);
    out.set(samples.subarray(this.#position, this.#position + length));
    this.#position += length;
    return out;
  }
}
