import { join } from 'node:path';
import { MB, pathProblem } from '../runtime/path-check.ts';

export const ESPEAK_FIX = "install Debian's espeak-ng-data package (apt-get install espeak-ng-data) or set espeak_data_dir to the folder holding phontab";

/**
 * The one espeak-ng data check, shared by the preflight, doctor and the voice loader: a folder
 * with the phoneme tables (phontab) and, when the voice's espeak voice is known, its language's
 * dictionary (`en_dict` for en-us), each a regular, non-empty file.
 */
export function espeakDataProblem(dir: string, espeakVoice?: string): string | undefined {
  const folder = pathProblem(dir, { kind: 'folder' });
  if (folder !== undefined) return `espeak-ng data folder ${folder}`;
  const phontab = pathProblem(join(dir, 'phontab'), { kind: 'file', nonEmpty: true, maxBytes: 64 * MB });
  if (phontab !== undefined) return `espeak-ng data folder ${dir} has no usable phontab (${phontab})`;
  if (espeakVoice === undefined) return undefined;
  const language = espeakVoice.split(/[-_]/)[0] ?? espeakVoice;
  const dict = pathProblem(join(dir, `${language}_dict`), { kind: 'file', nonEmpty: true, maxBytes: 256 * MB });
  if (dict !== undefined) return `espeak-ng data folder ${dir} has no usable ${language}_dict for the voice's language '${espeakVoice}' (${dict})`;
  return undefined;
}
