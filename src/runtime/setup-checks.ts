import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fail, pass, type CheckResult } from './native-check.ts';

const FETCH_MODELS = 'run scripts/fetch-models, or place the files by hand as models/README.md describes';

/** Model, voice and espeak data checks: pure file-system reads, shared by doctor, simulate and the call preflight. */
export function checkVoskModel(dir: string): CheckResult {
  const name = 'vosk model';
  if (!existsSync(dir)) return fail(name, `${dir} does not exist`, `set vosk_model_dir, or ${FETCH_MODELS}`);
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
  if (!existsSync(path)) return fail(name, `${path} does not exist`, `set piper_voice, or ${FETCH_MODELS}`);
  if (!existsSync(`${path}.json`)) return fail(name, `${path}.json is missing`, 'download the .onnx.json that belongs to the voice and put it beside the .onnx');
  return pass(name, path);
}

export function checkEspeakData(dir: string): CheckResult {
  const name = 'espeak-ng data';
  if (!existsSync(join(dir, 'phontab'))) return fail(name, `${dir} has no phontab`, 'apt-get install espeak-ng-data, or set espeak_data_dir');
  return pass(name, dir);
}
