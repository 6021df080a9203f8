import { statSync } from 'node:fs';
import type { Pcm } from '../../audio/pcm.ts';
import type { SynthesizeOptions, TtsEngine } from '../../tts/engine.ts';
import { SpeechRenderer, type SoundFormat } from '../../tts/render.ts';
import type { RenderedSpeech, Voice } from '../ports.ts';

/**
 * A TTS engine that is still loading, or not yet: the phrase cache key is known before the model
 * is, so a cached greeting plays at once. Loading starts when `startAfter` resolves true (behind
 * the greeting) or at the first real synthesis, whichever comes first.
 */
export class PendingEngine implements TtsEngine {
  readonly name: string;
  readonly cacheKey: string;
  readonly sampleRateHz: number;
  readonly #load: () => Promise<TtsEngine>;
  #engine: Promise<TtsEngine> | undefined;
  #closed = false;
  #failed = false;
  readonly #ready = Promise.withResolvers<void>();

  /** `startAfter` resolving false (the call ended first) means: load only if synthesis is asked for. */
  constructor(load: () => Promise<TtsEngine>, identity: { name: string; cacheKey: string; sampleRateHz?: number }, startAfter?: Promise<boolean>) {
    this.#load = load;
    this.name = identity.name;
    this.cacheKey = identity.cacheKey;
    this.sampleRateHz = identity.sampleRateHz ?? 0;
    if (startAfter === undefined) this.#start();
    else void startAfter.then((go) => { if (go && !this.#closed) this.#start(); else this.#ready.resolve(); }, () => this.#ready.resolve());
  }

  /** Settles once the load has finished or failed, or when it will not start behind the greeting. */
  get ready(): Promise<void> {
    return this.#ready.promise;
  }

  async synthesize(text: string, options?: SynthesizeOptions): Promise<Pcm> {
    return (await this.#start()).synthesize(text, options);
  }

  /** The load was tried and failed (a process that serves many calls loads it again for the next). */
  get failed(): boolean {
    return this.#failed;
  }

  close(): void {
    this.#closed = true;
    this.#engine?.then((engine) => engine.close(), () => undefined);
  }

  #start(): Promise<TtsEngine> {
    if (this.#engine === undefined) {
      this.#engine = this.#load();
      this.#engine.then(() => this.#ready.resolve(), () => { this.#failed = true; this.#ready.resolve(); });
    }
    return this.#engine;
  }
}

/** Phrase-cache identity of a voice file: changes when the file or the settings change. */
export function voiceFileIdentity(voicePath: string, settings: string): string {
  const stat = statSync(voicePath, { throwIfNoEntry: false });
  return `piper-file\0${voicePath}\0${stat?.size ?? 0}\0${stat?.mtimeMs ?? 0}\0${settings}`;
}

/** The Voice port over a SpeechRenderer (per-call files + shared phrase cache). */
export function rendererVoice(options: { engine: TtsEngine; cacheDir: string; callId: string; format: SoundFormat }): Voice {
  const renderer = new SpeechRenderer(options);
  return {
    label: options.engine.name,
    async render(text: string, renderOptions: { signal?: AbortSignal; cache?: boolean }): Promise<RenderedSpeech> {
      const synthesizeOptions = renderOptions.signal === undefined ? {} : { signal: renderOptions.signal };
      const audio = renderOptions.cache === true
        ? await renderer.renderPhrase(text, synthesizeOptions)
        : await renderer.render(text, synthesizeOptions);
      return { file: audio.file, soundPath: audio.filePath, durationMs: audio.durationMs, sampleRateHz: audio.sampleRateHz, synthMs: audio.synthMs };
    },
  };
}
