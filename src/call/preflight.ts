import type { Config } from '../config/keys/index.ts';
import { errorMessage } from '../errors.ts';
import { llmSettingsFrom, loadPromptTemplate } from '../llm/index.ts';
import { checkEspeakData, checkPiperVoice, checkVoskModel } from '../runtime/setup-checks.ts';

/**
 * What must hold before ANSWER: a model, a voice and a prompt that exist. A call that cannot work
 * is better left unanswered with VOICEBOT_STATUS=ERROR, so the dialplan can route it to a human.
 * Returns the problems (empty: ready); each names the key and the fix.
 */
export function preflight(config: Config, configFile: string): string[] {
  const problems: string[] = [];
  const checks = [checkVoskModel(config.vosk_model_dir)];
  if (config.voice_engine === 'piper') checks.push(checkPiperVoice(config.piper_voice), checkEspeakData(config.espeak_data_dir));
  for (const check of checks) if (!check.ok) problems.push(`${check.name}: ${check.detail}. Fix: ${check.fix}`);
  try {
    loadPromptTemplate(llmSettingsFrom(config, configFile).promptFile);
  } catch (error) {
    problems.push(errorMessage(error));
  }
  return problems;
}
