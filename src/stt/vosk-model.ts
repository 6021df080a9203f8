import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VoicebotError } from '../errors.ts';
import { bindVosk, type NativeHandle, type VoskLib } from './vosk-binding.ts';
import { voskLayoutProblem } from './vosk-model-layout.ts';

/** A loaded Vosk model: free it once when the call ends. */
export class VoskModel {
  readonly dir: string;
  /** The rate the model's features expect (conf/mfcc.conf `--sample-frequency`). */
  readonly sampleRateHz: number;
  readonly lib: VoskLib;
  readonly loadMs: number;
  #handle: NativeHandle | null;

  constructor(lib: VoskLib, handle: NativeHandle, dir: string, sampleRateHz: number, loadMs: number) {
    this.lib = lib;
    this.#handle = handle;
    this.dir = dir;
    this.sampleRateHz = sampleRateHz;
    this.loadMs = loadMs;
  }

  get handle(): NativeHandle {
    if (this.#handle === null) throw new VoicebotError('STT_MODEL_FREED', `the Vosk model ${this.dir} was already freed`);
    return this.#handle;
  }

  free(): void {
    if (this.#handle === null) return;
    this.lib.modelFree(this.#handle);
    this.#handle = null;
  }

  /**
   * Load a model folder on a worker thread (the event loop keeps running: start it before the
   * greeting plays). Checks the layout first so a wrong path gets a message naming what is missing.
   */
  static async load(dir: string, options: { lib?: VoskLib; logLevel?: number } = {}): Promise<VoskModel> {
    const path = resolve(dir);
    checkModelLayout(path);
    const sampleRateHz = modelSampleRateHz(path);
    const lib = options.lib ?? bindVosk();
    lib.setLogLevel(options.logLevel ?? -1);
    const started = performance.now();
    const handle = await lib.modelNewAsync(path);
    if (handle === null) {
      throw new VoicebotError('STT_MODEL_CORRUPT', `libvosk could not load the model in ${path} (a file is damaged or from an unsupported Kaldi version). Fix: unpack a fresh copy of the model (e.g. vosk-model-small-en-us-0.15) and point vosk_model_dir at the folder holding am/, conf/ and graph/`);
    }
    return new VoskModel(lib, handle, path, sampleRateHz, performance.now() - started);
  }
}

/** Throws STT_MODEL_MISSING naming the first required file that is absent or unusable (vosk-model-layout.ts). */
export function checkModelLayout(dir: string): void {
  const layout = voskLayoutProblem(dir);
  if (layout !== undefined) throw new VoicebotError('STT_MODEL_MISSING', `${layout.problem}. Fix: ${layout.fix}`);
}

/** The feature sample rate from conf/mfcc.conf; Kaldi's default is 16000. */
export function modelSampleRateHz(dir: string): number {
  const file = existsSync(join(dir, 'conf', 'mfcc.conf')) ? join(dir, 'conf', 'mfcc.conf') : join(dir, 'mfcc.conf');
  const match = /^--sample-frequency=(\d+(?:\.\d+)?)/m.exec(readFileSync(file, 'utf8'));
  if (match === null) return 16000;
  const rate = Math.round(Number(match[1]));
  if (!(rate >= 8000 && rate <= 48000)) {
    throw new VoicebotError('STT_MODEL_CORRUPT', `${file}: --sample-frequency=${match[1]} is not a usable rate. Fix: unpack the model again`);
  }
  return rate;
}
