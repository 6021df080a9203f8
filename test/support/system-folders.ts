import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The folders a real install owns; a test run must neither create nor change them. */
export const SYSTEM_FOLDERS = ['/var/lib/voicebot', '/var/cache/voicebot', '/var/log/voicebot'] as const;

/** path -> `type size mtimeMs uid:gid mode` for a folder tree; `absent` when the root does not exist. */
export type FolderSnapshot = Map<string, string>;

/** Every entry under `roots` (not following links), enough to see a created, grown or touched file. */
export function snapshotFolders(roots: readonly string[]): FolderSnapshot {
  const snapshot: FolderSnapshot = new Map();
  const visit = (path: string): void => {
    let stats;
    try {
      stats = lstatSync(path);
    } catch {
      snapshot.set(path, 'absent');
      return;
    }
    const type = stats.isDirectory() ? 'dir' : stats.isSymbolicLink() ? 'link' : 'file';
    snapshot.set(path, `${type} ${type === 'dir' ? 0 : stats.size} ${stats.mtimeMs} ${stats.uid}:${stats.gid} ${stats.mode.toString(8)}`);
    if (type !== 'dir') return;
    let names: string[] = [];
    try {
      names = readdirSync(path);
    } catch {
      return; // unreadable: its own line above still shows a change of mode or owner
    }
    for (const name of names.sort()) visit(join(path, name));
  };
  for (const root of roots) visit(root);
  return snapshot;
}

/** Human-readable differences between two snapshots; empty when nothing changed. */
export function describeChanges(before: FolderSnapshot, after: FolderSnapshot): string[] {
  const changes: string[] = [];
  for (const [path, state] of after) {
    const old = before.get(path);
    if (old === undefined) changes.push(`created ${path}`);
    else if (old === 'absent' && state !== 'absent') changes.push(`created ${path}`);
    else if (old !== state) changes.push(`changed ${path} (${old} -> ${state})`);
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push(`removed ${path}`);
  return changes;
}
