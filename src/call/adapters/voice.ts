import { statSync } from 'node:fs';
import type { Pcm } from '../../audio/pcm.ts';
import type { SynthesizeOptions, TtsEngine } from '../../tts/engine.ts';
import { SpeechRenderer, type SoundFormat } from '../../tts/render.ts';
import type { RenderedSpeech, Voice } from '../ports.ts';

/**
 * A TTS engine that is still loading. The phrase cache key is known before the model is: a cached
 * greeting plays at once while the voice loads; only real synthesis waits for the engine.
 */
export class PendingEngine implements TtsEngine {
  readonly name: string;
  readonly cacheKey: string;
  readonly sampleRateHz: number;
  readonly #engine: Promise<TtsEngine>;

  constructor(engine: Promise<TtsEngine>, identity: { name: string; cacheKey: string; sampleRateHz?: number }) {
    this.#engine = engine;
    this.#engine.catch(() => undefined);
    this.name = identity.name;
    this.cacheKey = identity.cacheKey;
    this.sampleRateHz = identity.sampleRateHz ?? 0;
  }

  async synthesize(text: string, options?: SynthesizeOptions): Promise<Pcm> {
    return (await this.#engine).synthesize(text, options);
  }

  close(): void {
    this.#engine.then((engine) => engine.close(), () => undefined);
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
