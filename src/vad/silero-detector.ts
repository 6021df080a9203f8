import { rmsDbfs } from '../audio/pcm.ts';
import { Resampler } from '../audio/resample.ts';
import { VoicebotError } from '../errors.ts';
import { loadSherpaOnnx, sileroVadModelPath } from '../runtime/native.ts';
import type { SpeechDetector, SpeechWindow } from './detector.ts';

/** Silero VAD v5 runs at 16 kHz in 512-sample windows (sherpa-onnx refuses v5 at 8 kHz). */
const MODEL_RATE_HZ = 16_000;
const WINDOW_SAMPLES = 512;
const WINDOW_MS = (WINDOW_SAMPLES * 1000) / MODEL_RATE_HZ;
/** sherpa-onnx keeps each speech segment's audio; past this it cuts the segment (the state stays speech). */
const MAX_SEGMENT_S = 60;
/**
 * sherpa-onnx keeps the samples of the speech segment in progress in a float buffer of this size
 * (64 KB per second); it doubles the buffer when a longer segment needs it (and says so on stderr).
 * Sized for a normal turn rather than for MAX_SEGMENT_S: every call (every serve call) holds one.
 */
const SEGMENT_BUFFER_S = 10;

interface SherpaVad {
  acceptWaveform(samples: Float32Array): void;
  isDetected(): boolean;
  isEmpty(): boolean;
  pop(): void;
}

interface SherpaVadModule {
  Vad: new (config: unknown, bufferSizeInSeconds: number) => SherpaVad;
}

export interface SileroOptions {
  /** Speech probability at or above which a window starts speech (sherpa ends it 0.15 lower). */
  threshold: number;
  /** Model file; the copy carried in the binary by default. */
  modelPath?: string;
  /** Windows quieter than this are not speech and skip the model (most of a call is quiet line). */
  skipBelowDbfs?: number;
}

/**
 * Silero VAD v5 through sherpa-onnx-node's `Vad`. sherpa-onnx reports a detection state, not a
 * probability: its own minimum speech/silence durations are set to one window so that all timing
 * rules stay in the turn taker. Queued segments are dropped at once (only the state is used).
 */
export class SileroDetector implements SpeechDetector {
  readonly name = 'silero';
  readonly #vad: SherpaVad;
  readonly #window = new Float32Array(WINDOW_SAMPLES);
  readonly #windowInt = new Int16Array(WINDOW_SAMPLES);
  #filled = 0;
  #resampler: Resampler | undefined;
  readonly #skipBelowDbfs: number;

  private constructor(vad: SherpaVad, skipBelowDbfs: number) {
    this.#vad = vad;
    this.#skipBelowDbfs = skipBelowDbfs;
  }

  /** Loads the model (tens of ms; the first load in a process also loads onnxruntime). */
  static load(options: SileroOptions): SileroDetector {
    const sherpa = loadSherpaOnnx() as SherpaVadModule;
    const model = options.modelPath ?? sileroVadModelPath();
    try {
      const vad = new sherpa.Vad({
        sileroVad: { model, threshold: options.threshold, minSilenceDuration: WINDOW_MS / 1000, minSpeechDuration: WINDOW_MS / 1000, windowSize: WINDOW_SAMPLES, maxSpeechDuration: MAX_SEGMENT_S },
        sampleRate: MODEL_RATE_HZ, numThreads: 1, debug: 0,
      }, SEGMENT_BUFFER_S);
      return new SileroDetector(vad, options.skipBelowDbfs ?? Number.NEGATIVE_INFINITY);
    } catch (error) {
      throw new VoicebotError('VAD_LOAD', `cannot load the Silero VAD model ${model}: ${(error as Error).message}`, { cause: error });
    }
  }

  accept(samples: Int16Array, sampleRateHz: number): SpeechWindow[] {
    let input = samples;
    if (sampleRateHz !== MODEL_RATE_HZ) {
      if (this.#resampler?.fromHz !== sampleRateHz) this.#resampler = new Resampler(sampleRateHz, MODEL_RATE_HZ);
      input = this.#resampler.process(samples);
    }
    const windows: SpeechWindow[] = [];
    for (let i = 0; i < input.length; i += 1) {
      const value = input[i] ?? 0;
      this.#windowInt[this.#filled] = value;
      this.#window[this.#filled] = value / 32768;
      this.#filled += 1;
      if (this.#filled < WINDOW_SAMPLES) continue;
      this.#filled = 0;
      const levelDbfs = rmsDbfs(this.#windowInt);
      let speech = false;
      if (levelDbfs >= this.#skipBelowDbfs) {
        this.#vad.acceptWaveform(this.#window);
        speech = this.#vad.isDetected();
        while (!this.#vad.isEmpty()) this.#vad.pop();
      }
      windows.push({ durationMs: WINDOW_MS, speech, levelDbfs });
    }
    return windows;
  }

  close(): void {
    // sherpa-onnx frees the detector with its JS handle.
  }
}
