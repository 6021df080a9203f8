import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mainTs, nodeBin } from '../support/paths.ts';
import { describeChanges, snapshotFolders, SYSTEM_FOLDERS } from '../support/system-folders.ts';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

test('voicebot call typed in a terminal says what it is for at once, exits 2 and creates nothing', { skip: hasScript ? false : 'needs script(1) from util-linux for a terminal' }, () => {
  const cwd = mkdtempSync(join(tmpdir(), 'voicebot-by-hand-'));
  const before = snapshotFolders(SYSTEM_FOLDERS);
  // script(1) gives the program a pseudo-terminal as stdin, as a shell would.
  const result = spawnSync('script', ['-qec', `${nodeBin} ${mainTs} call`, '/dev/null'], {
    cwd, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env['PATH'], HOME: cwd, TERM: 'dumb' },
  });
  assert.equal(result.status, 2, result.stdout + result.stderr);
  assert.match(result.stdout, /voicebot call runs one phone call for Asterisk/);
  assert.match(result.stdout, /simulate --demo/);
  assert.deepEqual(describeChanges(before, snapshotFolders(SYSTEM_FOLDERS)), []);
  assert.deepEqual(readdirSync(cwd), []);
});
