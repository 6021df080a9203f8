import { describeChanges, snapshotFolders, SYSTEM_FOLDERS, type FolderSnapshot } from './system-folders.ts';

/**
 * Global setup/teardown of the whole `node --test` run (`--test-global-setup`): test files run in
 * parallel, so "did the suite touch the system folders" can only be answered after all of them.
 * VOICEBOT_GUARD_FOLDERS (colon-separated) replaces the watched folders, for the guard's own test.
 */
const folders = process.env['VOICEBOT_GUARD_FOLDERS']?.split(':').filter((f) => f !== '') ?? [...SYSTEM_FOLDERS];
let before: FolderSnapshot | undefined;

export function globalSetup(): void {
  before = snapshotFolders(folders);
}

export function globalTeardown(): void {
  if (before === undefined) return;
  const changes = describeChanges(before, snapshotFolders(folders));
  if (changes.length === 0) return;
  const message = `SYSTEM FOLDERS TOUCHED BY THE TEST RUN (a test started voicebot without a temp config/db_path/cache_dir/log_file):\n  ${changes.slice(0, 20).join('\n  ')}`;
  process.stderr.write(`\n${message}\n`);
  process.exitCode = 1;
}
