import { Resampler } from '../audio/resample.ts';
import type { AudioFrame } from '../audio/pcm.ts';
import { abortable } from '../runtime/abortable.ts';
import { EnergyConfidence, type ConfidenceSource } from './confidence.ts';
import { Endpointer, type EndpointerOptions } from './endpointer.ts';
import type { FinalReason, SttEngine, SttEvent, TranscribeOptions } from './engine.ts';
import { VoskRecognizer, type RecognitionResult, type SttWord } from './vosk-recognizer.ts';
import type { VoskModel } from './vosk-model.ts';

export interface VoskSttOptions {
  /** Speech detection for turn taking. */
  endpoint?: Partial<EndpointerOptions>;
  /** The stricter rule while the bot speaks: higher threshold, `startMs` = minimum barge-in ms. */
  bargeIn?: Partial<EndpointerOptions>;
  /** Per-frame speech confidence; energy by default. */
  confidence?: ConfidenceSource;
  /** Force an end of utterance after this much speech. */
  maxUtteranceMs?: number;
  /** Minimum stream time between two `partial` events. */
  partialIntervalMs?: number;
  /** Engine name for logs; the tiny test model passes a name that says so. */
  name?: string;
}

/**
 * Vosk speech-to-text with our own endpointing: an utterance ends after `stopMs` of quiet, or
 * earlier when libvosk's endpoint rules fire while the caller is already quiet. Every frame goes
 * to the decoder (resampled to the model's rate), one short worker-thread call per frame.
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

  transcribe(frames: AsyncIterable<AudioFrame>, options: TranscribeOptions = {}): AsyncIterable<SttEvent> {
    return this.#run(frames, options);
  }

  close(): void {
    this.model.free();
  }

  async *#run(frames: AsyncIterable<AudioFrame>, options: TranscribeOptions): AsyncGenerator<SttEvent> {
    const confidence = this.#options.confidence ?? new EnergyConfidence();
    const endpointer = new Endpointer(this.#options.endpoint);
    const bargeIn = new Endpointer({ threshold: 0.75, startMs: 300, stopMs: 300, ...this.#options.bargeIn });
    const maxUtteranceMs = this.#options.maxUtteranceMs ?? 20_000;
    const partialIntervalMs = this.#options.partialIntervalMs ?? 200;
    const recognizer = new VoskRecognizer(this.model);
    let resampler: Resampler | undefined;
    let pending: RecognitionResult[] = [];
    let decoderEnded = false;
    let lastPartial = '';
    let lastPartialMs = Number.NEGATIVE_INFINITY;
    let utteranceStartMs = 0;

    const finish = async (atMs: number, speechEndMs: number, reason: FinalReason): Promise<SttEvent> => {
      const started = performance.now();
      pending.push(await recognizer.finalResult());
      const words: SttWord[] = pending.flatMap((result) => result.words);
      const text = pending.map((result) => result.text).filter((part) => part !== '').join(' ');
      pending = [];
      decoderEnded = false;
      lastPartial = '';
      return { type: 'final', atMs, text, words, speechStartMs: utteranceStartMs, speechEndMs, reason, decodeMs: performance.now() - started };
    };

    try {
      for await (const frame of abortable(frames, options.signal)) {
        if (frame.samples.length === 0) continue;
        const frameMs = (frame.samples.length * 1000) / frame.sampleRateHz;
        if (frame.sampleRateHz !== this.model.sampleRateHz && resampler?.fromHz !== frame.sampleRateHz) {
          resampler = new Resampler(frame.sampleRateHz, this.model.sampleRateHz);
        }
        const samples = frame.sampleRateHz === this.model.sampleRateHz ? frame.samples : resampler!.process(frame.samples);
        if (samples.length > 0 && await recognizer.accept(samples)) {
          const result = recognizer.result();
          // Text decoded outside an utterance is noise under the speech threshold: dropped.
          if (result.text !== '' && endpointer.state !== 'quiet') { pending.push(result); decoderEnded = true; }
        }

        const level = confidence.confidence(frame.samples, frame.sampleRateHz);
        const botSpeaking = options.botSpeaking?.() ?? false;
        const bargeEvent = bargeIn.update(level, frameMs);
        if (botSpeaking && bargeEvent?.type === 'speech-start') {
          yield { type: 'barge-in', atMs: bargeEvent.atMs, speechStartMs: bargeEvent.speechStartMs };
        }
        const event = endpointer.update(level, frameMs);
        if (endpointer.state === 'speaking') decoderEnded = false; // the caller went on talking
        if (event?.type === 'speech-start') {
          utteranceStartMs = event.speechStartMs;
          yield { type: 'speech-start', atMs: event.atMs, speechStartMs: event.speechStartMs };
        } else if (event?.type === 'speech-end') {
          yield await finish(event.atMs, event.speechEndMs, 'quiet');
        } else if (endpointer.state === 'stopping' && decoderEnded) {
          yield await finish(endpointer.nowMs, endpointer.quietSinceMs, 'decoder');
          endpointer.reset();
        } else if (endpointer.inSpeech && endpointer.nowMs - utteranceStartMs >= maxUtteranceMs) {
          yield await finish(endpointer.nowMs, endpointer.nowMs, 'max-length');
          endpointer.reset();
        } else if (endpointer.inSpeech && endpointer.nowMs - lastPartialMs >= partialIntervalMs) {
          lastPartialMs = endpointer.nowMs;
          const partial = [...pending.map((result) => result.text), recognizer.partial()].filter((part) => part !== '').join(' ');
          if (partial !== lastPartial) {
            lastPartial = partial;
            yield { type: 'partial', atMs: endpointer.nowMs, text: partial };
          }
        }
      }
      if (endpointer.inSpeech) {
        if (resampler !== undefined) {
          const tail = resampler.flush();
          if (tail.length > 0) await recognizer.accept(tail);
        }
        yield await finish(endpointer.nowMs, endpointer.nowMs, 'end-of-audio');
      }
    } finally {
      recognizer.free();
    }
  }
}
