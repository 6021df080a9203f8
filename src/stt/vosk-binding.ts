import { loadKoffi, libvoskPath } from '../runtime/native.ts';
import { VoicebotError } from '../errors.ts';

/**
 * The thin koffi binding to libvosk 0.3.39: the only file that calls into the library.
 * Handles are opaque pointers; callers own them and must free each exactly once.
 * `*Async` variants run on koffi's worker threads so the event loop keeps reading fd 3 while a
 * model loads or a chunk is decoded; one recognizer must never have two calls in flight.
 */
/** An opaque native pointer as koffi returns it. */
export type NativeHandle = bigint | object;

function handleOrNull(value: unknown): NativeHandle | null {
  if (value === null || value === undefined || value === 0n || value === 0) return null;
  return value as NativeHandle;
}

export interface VoskLib {
  setLogLevel(level: number): void;
  /** Loads a model folder on a worker thread; `null` when libvosk refuses it. */
  modelNewAsync(path: string): Promise<NativeHandle | null>;
  modelFree(model: NativeHandle): void;
  recognizerNew(model: NativeHandle, sampleRateHz: number): NativeHandle | null;
  recognizerFree(recognizer: NativeHandle): void;
  setWords(recognizer: NativeHandle, words: boolean): void;
  setPartialWords(recognizer: NativeHandle, words: boolean): void;
  /** 1 = utterance ended (read `result`), 0 = keep going, -1 = error. */
  acceptWaveform(recognizer: NativeHandle, bytes: Uint8Array): number;
  acceptWaveformAsync(recognizer: NativeHandle, bytes: Uint8Array): Promise<number>;
  result(recognizer: NativeHandle): string;
  partialResult(recognizer: NativeHandle): string;
  finalResult(recognizer: NativeHandle): string;
  finalResultAsync(recognizer: NativeHandle): Promise<string>;
  reset(recognizer: NativeHandle): void;
}

type AsyncFn = { (...args: unknown[]): unknown; async: (...args: unknown[]) => void };

function promisify<T>(fn: AsyncFn, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    fn.async(...args, (error: unknown, value: T) => { if (error) reject(error as Error); else resolve(value); });
  });
}

let cached: VoskLib | undefined;

/** Bind libvosk once per process (from node_modules, or the SEA's extracted copy). */
export function bindVosk(path: string = libvoskPath()): VoskLib {
  if (cached !== undefined) return cached;
  const koffi = loadKoffi();
  let lib;
  try {
    lib = koffi.load(path);
  } catch (error) {
    throw new VoicebotError('STT_NATIVE_LOAD', `cannot load libvosk from ${path}: ${(error as Error).message}. Fix: reinstall voicebot (the vosk package ships lib/linux-x86_64/libvosk.so)`, { cause: error });
  }
  const Model = koffi.pointer('VoskModel', koffi.opaque());
  const Recognizer = koffi.pointer('VoskRecognizer', koffi.opaque());
  const fn = (name: string, result: unknown, args: unknown[]) => lib.func(name, result as string, args as string[]) as unknown as AsyncFn;
  const setLogLevel = fn('vosk_set_log_level', 'void', ['int']);
  const modelNew = fn('vosk_model_new', Model, ['const char *']);
  const modelFree = fn('vosk_model_free', 'void', [Model]);
  const recognizerNew = fn('vosk_recognizer_new', Recognizer, [Model, 'float']);
  const recognizerFree = fn('vosk_recognizer_free', 'void', [Recognizer]);
  const setWords = fn('vosk_recognizer_set_words', 'void', [Recognizer, 'int']);
  const setPartialWords = fn('vosk_recognizer_set_partial_words', 'void', [Recognizer, 'int']);
  const accept = fn('vosk_recognizer_accept_waveform', 'int', [Recognizer, 'const uint8_t *', 'int']);
  const result = fn('vosk_recognizer_result', 'const char *', [Recognizer]);
  const partial = fn('vosk_recognizer_partial_result', 'const char *', [Recognizer]);
  const final = fn('vosk_recognizer_final_result', 'const char *', [Recognizer]);
  const reset = fn('vosk_recognizer_reset', 'void', [Recognizer]);
  cached = {
    setLogLevel: (level) => { setLogLevel(level); },
    modelNewAsync: async (modelPath) => handleOrNull(await promisify<unknown>(modelNew, modelPath)),
    modelFree: (model) => { modelFree(model); },
    recognizerNew: (model, rate) => handleOrNull(recognizerNew(model, rate)),
    recognizerFree: (recognizer) => { recognizerFree(recognizer); },
    setWords: (recognizer, on) => { setWords(recognizer, on ? 1 : 0); },
    setPartialWords: (recognizer, on) => { setPartialWords(recognizer, on ? 1 : 0); },
    acceptWaveform: (recognizer, bytes) => accept(recognizer, bytes, bytes.byteLength) as number,
    acceptWaveformAsync: (recognizer, bytes) => promisify<number>(accept, recognizer, bytes, bytes.byteLength),
    result: (recognizer) => result(recognizer) as string,
    partialResult: (recognizer) => partial(recognizer) as string,
    finalResult: (recognizer) => final(recognizer) as string,
    finalResultAsync: (recognizer) => promisify<string>(final, recognizer),
    reset: (recognizer) => { reset(recognizer); },
  };
  return cached;
}
