import type { Config } from '../config/keys/index.ts';
import type { Logger } from '../log.ts';
import type { VoskModel } from '../stt/vosk-model.ts';
import type { PendingEngine } from '../call/adapters/voice.ts';
import { loadSttModel, loadVoice, type SharedEngines } from '../call/compose.ts';

/**
 * The engines `voicebot serve` holds once for all its calls: one Vosk model per model folder (each
 * call gets its own recognizer from it) and one voice per voice and settings (synthesis runs on
 * sherpa-onnx's worker thread). A load that failed is tried again by the next call that needs it.
 */
export class ServeEngines implements SharedEngines {
  readonly #models = new Map<string, Promise<VoskModel>>();
  readonly #voices = new Map<string, PendingEngine>();

  sttModel(config: Config, log: Logger): Promise<VoskModel> {
    const key = `${config.vosk_model_dir}\0${config.test_model_rss_mb}`;
    const cached = this.#models.get(key);
    if (cached !== undefined) return cached;
    const loading = loadSttModel(config, log);
    this.#models.set(key, loading);
    loading.catch(() => { if (this.#models.get(key) === loading) this.#models.delete(key); });
    return loading;
  }

  voice(config: Config, log: Logger): PendingEngine {
    const key = [config.voice_engine, config.piper_voice, config.tts_speed, config.tts_speaker_id, config.tts_num_threads, config.espeak_data_dir].join('\0');
    const cached = this.#voices.get(key);
    if (cached !== undefined && !cached.failed) return cached;
    const engine = loadVoice(config, log, Promise.resolve(true));
    this.#voices.set(key, engine);
    return engine;
  }

  /** What is loaded, for the health line. */
  get counts(): { models: number; voices: number } {
    return { models: this.#models.size, voices: this.#voices.size };
  }
}
