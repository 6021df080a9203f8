import { join } from 'node:path';
import { floatToInt16, type Pcm } from '../audio/pcm.ts';
import { throwIfAborted } from '../runtime/abortable.ts';
import type { SynthesizeOptions, TtsEngine } from './engine.ts';
import { checkEspeakData, preparePiperVoice, type PreparedVoice } from './piper-voice.ts';
import { createSherpaTts, type SherpaTts } from './sherpa-binding.ts';
import { checkSpeakableText, DEFAULT_MAX_TEXT_CHARS } from './text-check.ts';

export interface PiperLoadOptions {
  /** The voice `.onnx`; its `.onnx.json` sits beside it. */
  voicePath: string;
  /** Folder for prepared voices (created). */
  cacheDir: string;
  espeakDataDir: string;
  /** Speaking rate: 1 = the voice's own, 1.2 = 20% faster. */
  speed?: number;
  speakerId?: number;
  numThreads?: number;
  maxTextChars?: number;
  /** Injected sherpa-onnx module (tests); default loads it from runtime/native. */
  sherpa?: unknown;
}

/** A Piper voice on sherpa-onnx. Construct through `PiperTtsEngine.load`. */
export class PiperTtsEngine implements TtsEngine {
  readonly name: string;
  readonly cacheKey: string;
  readonly sampleRateHz: number;
  readonly voice: PreparedVoice;
  /** Wall ms of preparation (0 when cached) and of the model load. */
  readonly timings: { prepareMs: number; loadMs: number };
  readonly #tts: SherpaTts;
  readonly #speed: number;
  readonly #speakerId: number;
  readonly #maxTextChars: number;

  constructor(tts: SherpaTts, voice: PreparedVoice, options: Pick<PiperLoadOptions, 'speed' | 'speakerId' | 'maxTextChars'>, timings = { prepareMs: 0, loadMs: 0 }) {
    this.#tts = tts;
    this.voice = voice;
    this.#speed = options.speed ?? 1;
    this.#speakerId = options.speakerId ?? 0;
    this.#maxTextChars = options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
    this.sampleRateHz = tts.sampleRateHz;
    this.name = `piper:${voice.sourcePath}`;
    this.cacheKey = `piper\0${voice.modelPath}\0${this.#speed}\0${this.#speakerId}`;
    this.timings = timings;
  }

  /** Prepare (once, cached) and load the voice; the model loads off the event loop. */
  static async load(options: PiperLoadOptions): Promise<PiperTtsEngine> {
    const prepareStarted = performance.now();
    const voice = preparePiperVoice(options.voicePath, join(options.cacheDir));
    const prepareMs = performance.now() - prepareStarted;
    checkEspeakData(options.espeakDataDir, voice.config.espeakVoice);
    const loadStarted = performance.now();
    const tts = await createSherpaTts({
      model: voice.modelPath,
      tokens: voice.tokensPath,
      dataDir: options.espeakDataDir,
      noiseScale: voice.config.noiseScale,
      noiseScaleW: voice.config.noiseW,
      lengthScale: voice.config.lengthScale,
      numThreads: options.numThreads ?? 1,
    }, options.sherpa, voice.sourcePath);
    return new PiperTtsEngine(tts, voice, options, { prepareMs, loadMs: performance.now() - loadStarted });
  }

  async synthesize(text: string, options: SynthesizeOptions = {}): Promise<Pcm> {
    const speakable = checkSpeakableText(text, this.#maxTextChars);
    const signal = options.signal;
    throwIfAborted(signal);
    const audio = await this.#tts.generate(speakable, {
      sid: this.#speakerId,
      speed: this.#speed,
      onProgress: () => signal?.aborted !== true,
    });
    throwIfAborted(signal);
    return { sampleRateHz: audio.sampleRateHz, samples: floatToInt16(audio.samples) };
  }

  close(): void {
    // sherpa-onnx frees the native voice when the object is garbage collected.
  }
}
