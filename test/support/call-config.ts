import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyVoskModel } from '../../src/simulate/tiny-vosk-model.ts';

/**
 * A voicebot.conf for a real call process with test engines: the generated tiny Vosk model, the
 * tone voice, and everything else in a temp folder. `ollamaHost` defaults to a port where nothing
 * listens (refused at once), for tests that never reach the language model.
 */
export function testCallConfig(options: { ollamaHost?: string; extra?: Record<string, string | number>; sections?: string } = {}): { dir: string; configPath: string; dbPath: string; logFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-call-'));
  const settings: Record<string, string | number> = {
    vosk_model_dir: writeTinyVoskModel(join(dir, 'tiny-vosk-model')),
    voice_engine: 'test-tone',
    ollama_host: options.ollamaHost ?? 'http://127.0.0.1:9',
    db_path: join(dir, 'calls.db'),
    log_file: join(dir, 'voicebot.log'),
    cache_dir: join(dir, 'cache'),
    ...options.extra,
  };
  const configPath = join(dir, 'voicebot.conf');
  writeFileSync(configPath, `[general]\n${Object.entries(settings).map(([key, value]) => `${key} = ${value}`).join('\n')}\n${options.sections ?? ''}`);
  return { dir, configPath, dbPath: String(settings['db_path']), logFile: String(settings['log_file']) };
}
