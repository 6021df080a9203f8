import type { Config, KeyName } from '../config/keys/index.ts';
import type { ValueSource } from '../config/load.ts';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { errorMessage } from '../errors.ts';
import { checkPromptFile, llmSettingsFrom } from '../llm/index.ts';
import { checkEspeakData, checkPiperVoice, checkVoskModel } from '../runtime/setup-checks.ts';

/**
 * What must hold before ANSWER: a model, a voice and a prompt that exist. A call that cannot work
 * is better left unanswered with VOICEBOT_STATUS=ERROR, so the dialplan can route it to a human.
 * Returns the problems (empty: ready); each names the key and the fix. `sources` (from
 * LoadedConfig.sources) lets a problem name the voicebot.conf line that set the key.
 */
export function preflight(config: Config, configFile: string, sources?: Record<KeyName, ValueSource>): string[] {
  const problems: string[] = [];
  const checks = [checkVoskModel(config.vosk_model_dir)];
  if (config.voice_engine === 'piper') checks.push(checkPiperVoice(config.piper_voice), checkEspeakData(config.espeak_data_dir));
  for (const check of checks) if (!check.ok) problems.push(`${check.name}: ${check.detail}. Fix: ${check.fix}`);
  const promptSource = sources?.llm_prompt_file;
  const prompt = checkPromptFile(config.llm_prompt_file, promptSource === undefined || promptSource === 'default' ? configFile : promptSource);
  if (!prompt.ok) problems.push(`${prompt.name}: ${prompt.detail}. Fix: ${prompt.fix}`);
  const cache = checkWritableFolder(config.cache_dir);
  if (cache !== undefined) problems.push(`cache_dir ${config.cache_dir}: ${cache}. Fix: make it writable by the Asterisk user (chown asterisk: ${config.cache_dir}) or set cache_dir`);
  try {
    llmSettingsFrom(config, configFile);
  } catch (error) {
    problems.push(errorMessage(error));
  }
  return problems;
}

/** Speech files are written here for every call: the folder must exist (or be creatable) and be writable. */
function checkWritableFolder(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}
