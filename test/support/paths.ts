import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is test/support/paths.ts). */
export const repoRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
/** The pinned Node 24 that runs the tests (node_modules/.bin/node under npm test). */
export const nodeBin = process.execPath;
/** `node src/cli/main.ts`, the program run from source. */
export const mainTs = join(repoRoot, 'src', 'cli', 'main.ts');

/**
 * The shared test data folder (Asterisk transcripts, dummy Piper voice), or undefined when this
 * clone has none beside it. VOICEBOT_TESTDATA_DIR overrides.
 */
export function sharedTestdata(): string | undefined {
  const candidates = [process.env['VOICEBOT_TESTDATA_DIR'], join(repoRoot, '..', 'shared', 'testdata')];
  for (const candidate of candidates) {
    if (candidate !== undefined && candidate !== '' && existsSync(candidate)) return resolve(candidate);
  }
  return undefined;
}
