/** Recent caller audio (for recording utterances), keyed by stream time. */
export class CallerHistory {
  #frames: Int16Array[] = [];
  #firstMs = 0;
  #rateHz = 8000;
  /** Longest utterance plus margin. */
  readonly #maxFrames: number;

  constructor(maxFrames = 3000) {
    this.#maxFrames = maxFrames;
  }

  add(samples: Int16Array, sampleRateHz: number): void {
    this.#rateHz = sampleRateHz;
    this.#frames.push(samples);
    while (this.#frames.length > this.#maxFrames) {
      const dropped = this.#frames.shift();
      if (dropped !== undefined) this.#firstMs += (dropped.length / this.#rateHz) * 1000;
    }
  }

  /** The audio between two stream times (ms since the stream began). */
  slice(fromMs: number, toMs: number): { samples: Int16Array; sampleRateHz: number } {
    const all = new Int16Array(this.#frames.reduce((sum, frame) => sum + frame.length, 0));
    let offset = 0;
    for (const frame of this.#frames) { all.set(frame, offset); offset += frame.length; }
    const toIndex = (ms: number) => Math.max(0, Math.min(all.length, Math.round(((ms - this.#firstMs) / 1000) * this.#rateHz)));
    return { samples: all.slice(toIndex(fromMs), toIndex(toMs)), sampleRateHz: this.#rateHz };
  }
}
