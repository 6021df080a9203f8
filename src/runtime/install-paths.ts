import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { programDir } from './native.ts';

/** Where `make install` (PREFIX=/usr/local) puts the shared files. */
export const INSTALLED_SHARE_DIR = '/usr/local/share/voicebot';

/**
 * A file that a checkout holds at `checkoutPath` and `make install` copies to the share folder as
 * `installedName`: advice names the one this program can use (never a source-tree path on an
 * installed box). `root` is the program folder (tests pass another).
 */
function sharedFile(checkoutPath: string, installedName: string, root: string): string {
  const checkout = join(root, checkoutPath);
  return existsSync(checkout) ? checkout : join(INSTALLED_SHARE_DIR, installedName);
}

/** The commented sample voicebot.conf that documents every key. */
export function sampleConfigPath(root: string = programDir()): string {
  return sharedFile('etc-asterisk/voicebot.conf', 'voicebot.conf.sample', root);
}

/** The script that downloads and checks the models. */
export function fetchModelsPath(root: string = programDir()): string {
  return sharedFile('scripts/fetch-models', 'fetch-models', root);
}
