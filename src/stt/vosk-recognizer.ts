import { VoicebotError } from '../errors.ts';
import { samplesAsBytes } from '../audio/pcm.ts';
import type { NativeHandle } from './vosk-binding.ts';
import type { VoskModel } from './vosk-model.ts';

/** One recognised word; times are ms from the start of the audio this recognizer was fed. */
export interface SttWord {
  word: string;
  startMs: number;
  endMs: number;
  confidence: number;
}

export interface RecognitionResult {
  text: string;
  words: SttWord[];
}

interface RawWord { word?: unknown; start?: unknown; end?: unknown; conf?: unknown }

/** Parse libvosk's result JSON (`text` + `result[]`) or partial JSON (`partial`). */
export function parseVoskJson(json: string): RecognitionResult {
  let value: { text?: unknown; partial?: unknown; result?: unknown };
  try {
    value = JSON.parse(json) as typeof value;
  } catch (error) {
    throw new VoicebotError('STT_BAD_RESULT', `libvosk returned unreadable JSON: ${json.slice(0, 80)}`, { cause: error });
  }
  const text = typeof value.text === 'string' ? value.text : typeof value.partial === 'string' ? value.partial : '';
  const words = Array.isArray(value.result)
    ? (value.result as RawWord[]).map((raw) => ({
      word: String(raw.word ?? ''),
      startMs: Math.round(Number(raw.start ?? 0) * 1000),
      endMs: Math.round(Number(raw.end ?? 0) * 1000),
      confidence: Number(raw.conf ?? 1),
    }))
    : [];
  return { text: text.trim(), words };
}

/**
 * A streaming recognizer at the model's rate, with word times. Calls are serialised: each
 * `accept` runs on a koffi worker thread and must finish before the next one starts.
 */
export class VoskRecognizer {
  readonly sampleRateHz: number;
  readonly #model: VoskModel;
  #handle: NativeHandle | null;
  #busy = false;

  constructor(model: VoskModel, options: { partialWords?: boolean } = {}) {
    this.#model = model;
    this.sampleRateHz = model.sampleRateHz;
    const handle = model.lib.recognizerNew(model.handle, model.sampleRateHz);
    if (handle === null) throw new VoicebotError('STT_RECOGNIZER', `libvosk could not create a recognizer for ${model.dir}`);
    this.#handle = handle;
    model.lib.setWords(handle, true);
    if (options.partialWords === true) model.lib.setPartialWords(handle, true);
  }

  /** Feed samples at `sampleRateHz`; resolves true when libvosk ended an utterance (read `result()`). */
  async accept(samples: Int16Array): Promise<boolean> {
    const handle = this.#enter();
    try {
      const code = await this.#model.lib.acceptWaveformAsync(handle, samplesAsBytes(samples));
      if (code < 0) throw new VoicebotError('STT_DECODE', 'libvosk rejected the audio chunk');
      return code === 1;
    } finally {
      this.#busy = false;
    }
  }

  /** Synchronous feed: blocks the event loop for the decode time (benchmarks compare both). */
  acceptSync(samples: Int16Array): boolean {
    const handle = this.#enter();
    try {
      const code = this.#model.lib.acceptWaveform(handle, samplesAsBytes(samples));
      if (code < 0) throw new VoicebotError('STT_DECODE', 'libvosk rejected the audio chunk');
      return code === 1;
    } finally {
      this.#busy = false;
    }
  }

  /** The utterance libvosk just ended (after `accept` resolved true). */
  result(): RecognitionResult {
    const handle = this.#enter();
    try { return parseVoskJson(this.#model.lib.result(handle)); } finally { this.#busy = false; }
  }

  partial(): string {
    const handle = this.#enter();
    try { return parseVoskJson(this.#model.lib.partialResult(handle)).text; } finally { this.#busy = false; }
  }

  /** Flush what is buffered and end the utterance; the next `accept` starts a new one. */
  async finalResult(): Promise<RecognitionResult> {
    const handle = this.#enter();
    try { return parseVoskJson(await this.#model.lib.finalResultAsync(handle)); } finally { this.#busy = false; }
  }

  free(): void {
    if (this.#handle === null) return;
    if (this.#busy) throw new VoicebotError('STT_BUSY', 'cannot free a Vosk recognizer while a call into it is running');
    this.#model.lib.recognizerFree(this.#handle);
    this.#handle = null;
  }

  #enter(): NativeHandle {
    if (this.#handle === null) throw new VoicebotError('STT_RECOGNIZER_FREED', 'the Vosk recognizer was already freed');
    if (this.#busy) throw new VoicebotError('STT_BUSY', 'a call into this Vosk recognizer is still running (calls must be awaited one at a time)');
    this.#busy = true;
    return this.#handle;
  }
}
