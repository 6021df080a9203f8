import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as sea from 'node:sea';
import { VoicebotError } from '../errors.ts';

/** Written by scripts/build.ts as the SEA asset `native-manifest.json`. */
export interface NativeManifest {
  /** Content hash of every native file; names the cache folder so versions never mix. */
  hash: string;
  files: { asset: string; path: string; mode: number }[];
}

export const MANIFEST_ASSET = 'native-manifest.json';
const COMPLETE_MARKER = '.complete';

export function isSingleExecutable(): boolean {
  return sea.isSea();
}

let extractedRoot: string | undefined;

/**
 * Folder holding the extracted native files, extracting them on first use. Safe when many call
 * processes start at once: each extracts into its own temp folder and renames it into place; the
 * loser of the rename race discards its copy. Later starts only check that the files exist.
 */
export function extractedNativeRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (extractedRoot !== undefined) return extractedRoot;
  const manifest = JSON.parse(sea.getAsset(MANIFEST_ASSET, 'utf8')) as NativeManifest;
  extractedRoot = ensureExtracted(manifest, (asset) => new Uint8Array(sea.getAsset(asset)), env);
  return extractedRoot;
}

/** The extraction itself, separated from node:sea so tests can drive it with plain files. */
export function ensureExtracted(
  manifest: NativeManifest,
  readAsset: (asset: string) => Uint8Array,
  env: NodeJS.ProcessEnv,
): string {
  const errors: string[] = [];
  for (const base of cacheBaseCandidates(env)) {
    try {
      ensurePrivateDir(base);
      const target = join(base, `native-${manifest.hash}`);
      if (isComplete(target, manifest)) return target;
      extractInto(target, manifest, readAsset);
      return target;
    } catch (error) {
      errors.push(`${base}: ${(error as Error).message}`);
    }
  }
  throw new VoicebotError('NATIVE_EXTRACT',
    `cannot extract native libraries (${errors.join('; ')}). Fix: set VOICEBOT_NATIVE_DIR to a folder the Asterisk user can write`);
}

/** VOICEBOT_NATIVE_DIR, then the user's cache folder, then a per-user temp folder. */
export function cacheBaseCandidates(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  const explicit = env['VOICEBOT_NATIVE_DIR'];
  if (explicit !== undefined && explicit !== '') out.push(explicit);
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && xdg.startsWith('/')) out.push(join(xdg, 'voicebot'));
  let home = env['HOME'];
  if (home === undefined || home === '') {
    try { home = homedir(); } catch { home = undefined; }
  }
  if (home !== undefined && home !== '' && home !== '/') out.push(join(home, '.cache', 'voicebot'));
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  out.push(join(tmpdir(), `voicebot-${uid}`));
  return out;
}

function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = statSync(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : stat.uid;
  if (stat.uid !== uid) throw new Error(`owned by uid ${stat.uid}, not us (${uid})`);
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function isComplete(target: string, manifest: NativeManifest): boolean {
  if (!existsSync(join(target, COMPLETE_MARKER))) return false;
  return manifest.files.every((file) => existsSync(join(target, file.path)));
}

function extractInto(target: string, manifest: NativeManifest, readAsset: (asset: string) => Uint8Array): void {
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = `${target}.tmp-${suffix}`;
  try {
    for (const file of manifest.files) {
      const path = join(staging, file.path);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, readAsset(file.asset), { mode: file.mode });
    }
    writeFileSync(join(staging, COMPLETE_MARKER), `${manifest.hash}\n`, { mode: 0o600 });
    chmodSync(staging, 0o700);
    // A complete copy is never replaced: other calls may be loading libraries from it right now.
    if (isComplete(target, manifest)) {
      rmSync(staging, { recursive: true, force: true });
      return;
    }
    if (existsSync(target)) moveAsideAndRemove(target, suffix);
    // rename(2) refuses to replace a non-empty folder, so of several racers exactly one wins.
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (isComplete(target, manifest)) return;
    throw error;
  }
}

/** An incomplete folder (a temp cleaner took files) is renamed away first so the swap stays atomic. */
function moveAsideAndRemove(target: string, suffix: string): void {
  const stale = `${target}.stale-${suffix}`;
  try {
    renameSync(target, stale);
  } catch {
    return;
  }
  rmSync(stale, { recursive: true, force: true });
}
