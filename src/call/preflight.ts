import type { Config, KeyName } from '../config/keys/index.ts';
import type { ValueSource } from '../config/load.ts';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { errorMessage } from '../errors.ts';
import { checkPromptFile } from '../llm/prompt.ts';
import { llmSettingsFrom } from '../llm/settings.ts';
import { DISCARD_LOG } from '../log.ts';
import type { CheckResult } from '../runtime/native-check.ts';
import { pathProblem, type PathRule } from '../runtime/path-check.ts';
import { checkEspeakData, checkPiperVoice, checkVoskModel } from './setup-checks.ts';
import { checkEspeakProgram } from '../tts/espeak-test-voice.ts';
import { readPiperConfig } from '../tts/piper-voice.ts';

/** Files voicebot writes: a regular file or nothing yet (never a folder, FIFO or device). */
const WRITTEN_PATHS: readonly [KeyName, PathRule, string][] = [
  ['log_file', { kind: 'file', mayBeMissing: true }, 'point log_file at a regular file, e.g. /var/log/voicebot/voicebot.log'],
  ['db_path', { kind: 'file', mayBeMissing: true }, 'point db_path at a regular file, e.g. /var/lib/voicebot/calls.db'],
  ['cache_dir', { kind: 'folder', mayBeMissing: true }, 'point cache_dir at a folder, e.g. /var/cache/voicebot'],
];

/**
 * What must hold before ANSWER: a model, a voice, a prompt and the files voicebot writes, each a
 * regular file or folder of sane size. A call that cannot work is better left unanswered with
 * VOICEBOT_STATUS=ERROR, so the dialplan can route it to a human. Returns the problems (empty:
 * ready); each names where the key was set (`file:line`, env var or default), the key and the fix.
 */
export function preflight(config: Config, configFile: string, sources?: Record<KeyName, ValueSource>): string[] {
  const where = (key: KeyName): string => {
    const source = sources?.[key];
    return source === undefined || source === 'default' ? `${configFile} (default of ${key})` : source;
  };
  const problems: string[] = [];
  const keyed = (key: KeyName, check: CheckResult) => {
    if (!check.ok) problems.push(`${where(key)}: key '${key}': ${check.name}: ${check.detail}. Fix: ${check.fix}`);
  };
  keyed('vosk_model_dir', checkVoskModel(config.vosk_model_dir));
  if (config.voice_engine === 'piper') {
    const voice = checkPiperVoice(config.piper_voice);
    keyed('piper_voice', voice);
    keyed('espeak_data_dir', checkEspeakData(config.espeak_data_dir, voice.ok ? espeakVoiceOf(config.piper_voice) : undefined));
  }
  if (config.voice_engine === 'test-espeak') keyed('voice_engine', checkEspeakProgram());
  const prompt = checkPromptFile(config.llm_prompt_file, where('llm_prompt_file'));
  if (!prompt.ok) problems.push(`${prompt.name}: ${prompt.detail}. Fix: ${prompt.fix}`);
  for (const [key, rule, fix] of WRITTEN_PATHS) {
    const path = String(config[key]);
    const problem = key === 'log_file' && path === DISCARD_LOG ? undefined : pathProblem(path, rule);
    if (problem !== undefined) problems.push(`${where(key)}: key '${key}': ${problem}. Fix: ${fix}`);
  }
  const cache = problems.some((p) => p.includes("key 'cache_dir'")) ? undefined : checkWritableFolder(config.cache_dir);
  if (cache !== undefined) problems.push(`cache_dir ${config.cache_dir}: ${cache}. Fix: make it writable by the Asterisk user (chown asterisk: ${config.cache_dir}) or set cache_dir`);
  try {
    llmSettingsFrom(config, configFile);
  } catch (error) {
    problems.push(errorMessage(error));
  }
  return problems;
}

/** The espeak voice a Piper voice names in its .onnx.json (undefined when unreadable: the voice check reports that). */
function espeakVoiceOf(voicePath: string): string | undefined {
  try {
    return readPiperConfig(`${voicePath}.json`).espeakVoice;
  } catch {
    return undefined;
  }
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
