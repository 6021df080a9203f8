import { existsSync } from 'node:fs';
import { voskLayoutProblem } from '../stt/vosk-model-layout.ts';
import { ESPEAK_FIX, espeakDataProblem } from '../tts/espeak-data.ts';
import { fail, pass, type CheckResult } from '../runtime/native-check.ts';
import { fetchModelsPath } from '../runtime/install-paths.ts';
import { GB, MB, pathProblem } from '../runtime/path-check.ts';

/** Where to get the models, naming the fetch script this program can use (checkout or installed). */
function fetchModelsAdvice(): string {
  return `run ${fetchModelsPath()} --dest <models folder>, or place the files by hand as the models README describes (models/README.md)`;
}

/** Model, voice and espeak data checks: stat()-only file-system reads, shared by doctor and the call preflight. */
export function checkVoskModel(dir: string): CheckResult {
  const name = 'vosk model';
  if (!existsSync(dir)) return fail(name, `${dir} does not exist`, `set vosk_model_dir, or ${fetchModelsAdvice()}`);
  const layout = voskLayoutProblem(dir);
  return layout === undefined ? pass(name, dir) : fail(name, layout.problem, layout.fix);
}

export function checkPiperVoice(path: string): CheckResult {
  const name = 'piper voice';
  if (!existsSync(path)) return fail(name, `${path} does not exist`, `set piper_voice, or ${fetchModelsAdvice()}`);
  const model = pathProblem(path, { kind: 'file', nonEmpty: true, maxBytes: 4 * GB });
  if (model !== undefined) return fail(name, model, `point piper_voice at a downloaded voice .onnx, or ${fetchModelsAdvice()}`);
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
