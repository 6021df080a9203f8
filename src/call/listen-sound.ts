import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../audio/wav.ts';

/** Length of the silent sound that listening plays; when it runs out, listening plays it again. */
export const LISTEN_SOUND_SECONDS = 30;
const RATE_HZ = 8000;
/** Every key Asterisk passes as an escape digit: any of them ends the listening playback. */
export const ALL_KEYS = '0123456789*#';
/** The sound's file name (in cache_dir/listen/), recognisable in logs and command logs. */
export const LISTEN_SOUND_NAME = `voicebot-listen-silence-${LISTEN_SOUND_SECONDS}s`;

/**
 * Writes (once; later calls only check its size) the silent `.sln` that listening plays with STREAM
 * FILE and all keys as escape digits. Returns its path without extension, as STREAM FILE wants it.
 * Why a sound and not WAIT FOR DIGIT: both keep DTMF live while fd 3 streams, but Asterisk logs a
 * WARNING each time a WAIT FOR DIGIT is interrupted by a new command, and nothing for STREAM FILE.
 */
export function ensureListenSound(cacheDir: string): string {
  const dir = join(cacheDir, 'listen');
  const base = join(dir, LISTEN_SOUND_NAME);
  const file = `${base}.sln`;
  const bytes = LISTEN_SOUND_SECONDS * RATE_HZ * 2;
  if (existsSync(file) && statSync(file).size === bytes) return base;
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(file, new Uint8Array(bytes));
  return base;
}
