import { join } from 'node:path';
import type { Config } from '../config/keys/index.ts';
import type { PiperLoadOptions } from './piper-tts.ts';

/** Piper load options from the call's config; prepared voices live in `<cache_dir>/voices`. */
export function piperOptionsFromConfig(config: Pick<Config, 'piper_voice' | 'espeak_data_dir' | 'cache_dir' | 'tts_speed' | 'tts_speaker_id' | 'tts_num_threads' | 'tts_max_text_chars'>): PiperLoadOptions {
  return {
    voicePath: config.piper_voice,
    espeakDataDir: config.espeak_data_dir,
    cacheDir: join(config.cache_dir, 'voices'),
    speed: config.tts_speed,
    speakerId: config.tts_speaker_id,
    numThreads: config.tts_num_threads,
    maxTextChars: config.tts_max_text_chars,
  };
}
