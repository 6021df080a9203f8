import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GB, MB, pathProblem } from '../runtime/path-check.ts';

/** A reason a folder is not a loadable Vosk model, with the fix. */
export interface LayoutProblem {
  problem: string;
  fix: string;
}

const FIX_PATH = 'set vosk_model_dir to the unpacked model folder (it holds am/, conf/ and graph/), e.g. /var/lib/voicebot/models/vosk-model-small-en-us-0.15';
const FIX_UNPACK = 'unpack the whole model archive again (a fresh copy, e.g. vosk-model-small-en-us-0.15)';

/** The first of `candidates` (relative to `dir`) that exists, else the first one (for the message). */
function firstPresent(dir: string, candidates: readonly string[]): string {
  return join(dir, candidates.find((rel) => existsSync(join(dir, rel))) ?? candidates[0]!);
}

/**
 * The one Vosk model layout check, shared by the pre-answer preflight, doctor and the loader: the
 * files libvosk 0.3.x opens (acoustic model, MFCC config, a decoding graph: HCLG.fst, or HCLr.fst
 * with Gr.fst), each a regular, non-empty file of sane size. Only stat() is used; whether libvosk
 * can parse them is found by loading the model (before ANSWER, see compose.ts).
 */
export function voskLayoutProblem(dir: string): LayoutProblem | undefined {
  const folder = pathProblem(dir, { kind: 'folder' });
  if (folder !== undefined) return { problem: folder, fix: FIX_PATH };
  const acoustic = firstPresent(dir, ['am/final.mdl', 'final.mdl']);
  if (!existsSync(acoustic)) return { problem: `${dir} has no am/final.mdl, so it is not a Vosk model folder`, fix: FIX_PATH };
  const hclg = firstPresent(dir, ['graph/HCLG.fst', 'HCLG.fst']);
  const lookahead = [firstPresent(dir, ['graph/HCLr.fst', 'HCLr.fst']), firstPresent(dir, ['graph/Gr.fst', 'Gr.fst'])];
  const graph = existsSync(hclg) ? [hclg] : lookahead.every((file) => existsSync(file)) ? lookahead : undefined;
  if (graph === undefined) return { problem: `${dir} has no graph/HCLG.fst (nor graph/HCLr.fst with graph/Gr.fst): the model is incomplete`, fix: FIX_UNPACK };
  const mfcc = firstPresent(dir, ['conf/mfcc.conf', 'mfcc.conf']);
  if (!existsSync(mfcc)) return { problem: `${dir} has no conf/mfcc.conf: the model is incomplete`, fix: FIX_UNPACK };
  const files: [string, number][] = [[acoustic, 4 * GB], ...graph.map((file): [string, number] => [file, 8 * GB]), [mfcc, 1 * MB]];
  for (const [file, maxBytes] of files) {
    const problem = pathProblem(file, { kind: 'file', nonEmpty: true, maxBytes });
    if (problem !== undefined) return { problem, fix: FIX_UNPACK };
  }
  const odd = oddEntry(dir, 0, { left: MAX_ENTRIES });
  return odd === undefined ? undefined : { problem: `${odd} is neither a regular file nor a folder (libvosk would block or fail opening it)`, fix: FIX_UNPACK };
}

/** A model tree is a few dozen files; past this many entries the scan stops (the files above were checked). */
const MAX_ENTRIES = 500;

/** The first entry below `dir` (3 levels deep) that is a FIFO, socket or device: libvosk opens whatever its configs name. */
function oddEntry(dir: string, depth: number, budget: { left: number }): string | undefined {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (--budget.left < 0) return undefined;
    const path = join(dir, entry.name);
    const stat = entry.isSymbolicLink() ? statSync(path, { throwIfNoEntry: false }) : entry;
    if (stat === undefined) continue;
    if (stat.isDirectory()) {
      const below = depth < 3 ? oddEntry(path, depth + 1, budget) : undefined;
      if (below !== undefined) return below;
    } else if (!stat.isFile()) return path;
  }
  return undefined;
}
