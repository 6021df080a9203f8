import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode, errorMessage } from '../errors.ts';
import { checkTemplate, PROMPT_VARIABLES } from '../llm/prompt.ts';
import { ESPEAK_BINARY, espeakUnavailable } from '../tts/espeak-test-voice.ts';
import { fetchModelsPath } from './install-paths.ts';
import { fail, pass, type CheckResult } from './native-check.ts';


function fetchModelsAdvice(): string {
  return `run ${fetchModelsPath()} --dest <models folder>, or place the files by hand as the models README describes (models/README.md)`;
}

/** Model, voice and espeak data checks: pure file-system reads, shared by doctor and the call preflight. */
export function checkVoskModel(dir: string): CheckResult {
  const name = 'vosk model';
  if (!existsSync(dir)) return fail(name, `${dir} does not exist`, `set vosk_model_dir, or ${fetchModelsAdvice()}`);
  const missing = ['am/final.mdl', 'conf/mfcc.conf', 'conf/model.conf'].filter((rel) => !existsSync(join(dir, rel)));
  const hasGraph = existsSync(join(dir, 'graph/HCLG.fst')) || existsSync(join(dir, 'graph/Gr.fst'));
  if (!hasGraph) missing.push('graph/HCLG.fst (or graph/Gr.fst)');
  if (missing.length > 0) {
    return fail(name, `${dir} is not an unpacked Vosk model (missing ${missing.join(', ')})`, 'point vosk_model_dir at the folder that holds am/, conf/ and graph/');
  }
  return pass(name, dir);
}

export function checkPiperVoice(path: string): CheckResult {
  const name = 'piper voice';
  if (!existsSync(path)) return fail(name, `${path} does not exist`, `set piper_voice, or ${fetchModelsAdvice()}`);
  if (!existsSync(`${path}.json`)) return fail(name, `${path}.json is missing`, 'download the .onnx.json that belongs to the voice and put it beside the .onnx');
  return pass(name, path);
}

/** The espeak-ng program the test-espeak voice runs (a TEST ENGINE). */
export function checkEspeakProgram(): CheckResult {
  const name = 'espeak test voice';
  const reason = espeakUnavailable();
  if (reason !== undefined) return fail(name, `voice_engine = test-espeak, but ${reason}`, 'apt-get install espeak-ng, or set voice_engine = piper');
  return pass(name, `${ESPEAK_BINARY} runs`);
}

export function checkEspeakData(dir: string): CheckResult {
  const name = 'espeak-ng data';
  if (!existsSync(join(dir, 'phontab'))) return fail(name, `${dir} has no phontab`, 'apt-get install espeak-ng-data, or set espeak_data_dir');
  return pass(name, dir);
}

/**
 * The profile's prompt template exists, is readable and uses only known variables. `where` is the
 * `file:line` (or `env NAME`) that set llm_prompt_file, so the message names the line to fix.
 */
export function checkPromptFile(path: string, where: string): CheckResult {
  const name = 'prompt file';
  if (path === '') return pass(name, 'built-in prompt (llm_prompt_file is empty)');
  const at = `${where}: key 'llm_prompt_file'`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    const problem = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : `cannot be read (${errorMessage(error)})`;
    return fail(name, `${at}: the prompt file ${path} ${problem}`,
      code === 'EACCES' ? `make it readable by the Asterisk user (chmod 0640, group asterisk)`
        : 'create the file or fix llm_prompt_file (a relative path is taken from the folder of voicebot.conf)');
  }
  try {
    checkTemplate(text, path);
  } catch (error) {
    return fail(name, `${where}: ${errorMessage(error).replace(/\. Fix: .*$/s, '')}`, `use only ${PROMPT_VARIABLES.map((v) => `{{${v}}}`).join(' ')}`);
  }
  return pass(name, path);
}
