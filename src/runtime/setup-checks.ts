import { existsSync, readFileSync } from 'node:fs';
import { errorCode, errorMessage } from '../errors.ts';
import { checkTemplate, PROMPT_VARIABLES } from '../llm/prompt.ts';
import { voskLayoutProblem } from '../stt/vosk-model-layout.ts';
import { ESPEAK_FIX, espeakDataProblem } from '../tts/espeak-data.ts';
import { fail, pass, type CheckResult } from './native-check.ts';
import { GB, KB, MB, pathProblem } from './path-check.ts';

/** A prompt template is a page of text; more is a wrong file (or /dev/zero). */
const MAX_PROMPT_BYTES = 256 * KB;
const FETCH_MODELS = 'run scripts/fetch-models, or place the files by hand as models/README.md describes';

/** Model, voice and espeak data checks: stat()-only file-system reads, shared by doctor and the call preflight. */
export function checkVoskModel(dir: string): CheckResult {
  const name = 'vosk model';
  if (!existsSync(dir)) return fail(name, `${dir} does not exist`, `set vosk_model_dir, or ${FETCH_MODELS}`);
  const layout = voskLayoutProblem(dir);
  return layout === undefined ? pass(name, dir) : fail(name, layout.problem, layout.fix);
}

export function checkPiperVoice(path: string): CheckResult {
  const name = 'piper voice';
  if (!existsSync(path)) return fail(name, `${path} does not exist`, `set piper_voice, or ${FETCH_MODELS}`);
  const model = pathProblem(path, { kind: 'file', nonEmpty: true, maxBytes: 4 * GB });
  if (model !== undefined) return fail(name, model, `point piper_voice at a downloaded voice .onnx, or ${FETCH_MODELS}`);
  if (!existsSync(`${path}.json`)) return fail(name, `${path}.json is missing`, 'download the .onnx.json that belongs to the voice and put it beside the .onnx');
  const json = pathProblem(`${path}.json`, { kind: 'file', nonEmpty: true, maxBytes: 16 * MB });
  if (json !== undefined) return fail(name, json, 'download the .onnx.json that belongs to the voice again');
  return pass(name, path);
}

/** `espeakVoice` (from the voice's .onnx.json) adds the check for its language's dictionary. */
export function checkEspeakData(dir: string, espeakVoice?: string): CheckResult {
  const problem = espeakDataProblem(dir, espeakVoice);
  return problem === undefined ? pass('espeak-ng data', dir) : fail('espeak-ng data', problem, ESPEAK_FIX);
}

/**
 * The profile's prompt template exists, is readable and uses only known variables. `where` is the
 * `file:line` (or `env NAME`) that set llm_prompt_file, so the message names the line to fix.
 */
export function checkPromptFile(path: string, where: string): CheckResult {
  const name = 'prompt file';
  if (path === '') return pass(name, 'built-in prompt (llm_prompt_file is empty)');
  const at = `${where}: key 'llm_prompt_file'`;
  const unfit = existsSync(path) ? pathProblem(path, { kind: 'file', maxBytes: MAX_PROMPT_BYTES }) : undefined;
  if (unfit !== undefined) return fail(name, `${at}: ${unfit}`, 'point llm_prompt_file at a prompt text file (a relative path is taken from the folder of voicebot.conf)');
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
