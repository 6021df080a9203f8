import { Resampler } from '../audio/resample.ts';
import { abortable } from '../runtime/abortable.ts';
import type { SttEngine, SttEvent, SttInput } from './engine.ts';
import { VoskRecognizer, type RecognitionResult, type SttWord } from './vosk-recognizer.ts';
import type { VoskModel } from './vosk-model.ts';

export interface VoskSttOptions {
  /** Minimum stream time between two `partial` events. */
  partialIntervalMs?: number;
  /** Engine name for logs; the tiny test model passes a name that says so. */
  name?: string;
}

/**
 * Vosk speech-to-text. Every frame goes to the decoder (resampled to the model's rate), one short
 * worker-thread call per frame; the turn boundaries come from the speech detector. Results libvosk
 * ends on its own inside a turn are kept and joined into the turn's final.
 */
export class VoskSttEngine implements SttEngine {
  readonly name: string;
  readonly model: VoskModel;
  readonly #options: VoskSttOptions;

  constructor(model: VoskModel, options: VoskSttOptions = {}) {
    this.model = model;
    this.#options = options;
    this.name = options.name ?? `vosk:${model.dir}`;
  }

  transcribe(input: AsyncIterable<SttInput>, options: { signal?: AbortSignal } = {}): AsyncIterable<SttEvent> {
    return this.#run(input, options.signal);
  }

  close(): void {
    this.model.free();
  }

  async *#run(input: AsyncIterable<SttInput>, signal: AbortSignal | undefined): AsyncGenerator<SttEvent> {
    const partialIntervalMs = this.#options.partialIntervalMs ?? 200;
    const recognizer = new VoskRecognizer(this.model);
    let resampler: Resampler | undefined;
    let pending: RecognitionResult[] = [];
    let inTurn = false;
    let lastPartial = '';
    let sincePartialMs = 0;
    try {
      for await (const item of abortable(input, signal)) {
        if (item.type === 'turn-start') {
          pending = [];
          inTurn = true;
          continue;
        }
        if (item.type === 'turn-end') {
          const started = performance.now();
          pending.push(await recognizer.finalResult());
          const words: SttWord[] = pending.flatMap((result) => result.words);
          const text = pending.map((result) => result.text).filter((part) => part !== '').join(' ');
          pending = [];
          inTurn = false;
          lastPartial = '';
          yield { type: 'final', text, words, decodeMs: performance.now() - started };
          continue;
        }
        const frame = item.frame;
        if (frame.samples.length === 0) continue;
        if (frame.sampleRateHz !== this.model.sampleRateHz && resampler?.fromHz !== frame.sampleRateHz) {
          resampler = new Resampler(frame.sampleRateHz, this.model.sampleRateHz);
        }
        const samples = frame.sampleRateHz === this.model.sampleRateHz ? frame.samples : resampler!.process(frame.samples);
        if (samples.length > 0 && await recognizer.accept(samples)) {
          const result = recognizer.result();
          // Text decoded outside a turn is noise the detector did not take for speech: dropped.
          if (result.text !== '' && inTurn) pending.push(result);
        }
        sincePartialMs += (frame.samples.length * 1000) / frame.sampleRateHz;
        if (inTurn && sincePartialMs >= partialIntervalMs) {
          sincePartialMs = 0;
          const partial = [...pending.map((result) => result.text), recognizer.partial()].filter((part) => part !== '').join(' ');
          if (partial !== lastPartial) {
            lastPartial = partial;
            yield { type: 'partial', text: partial };
          }
        }
      }
    } finally {
      recognizer.free();
    }
  }
}
