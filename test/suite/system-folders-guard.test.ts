import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeBin, repoRoot } from '../support/paths.ts';

const guard = join(repoRoot, 'test', 'support', 'system-folders-guard.ts');

/** Runs `node --test` with the suite's guard on one test file, watching `watched` instead of /var. */
function runGuarded(testBody: string, watched: string[]): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-guard-'));
  const file = join(dir, 'probe.test.mjs');
  writeFileSync(file, `import { test } from 'node:test';\nimport fs from 'node:fs';\ntest('probe', () => { ${testBody} });\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, VOICEBOT_GUARD_FOLDERS: watched.join(':') };
  delete env['NODE_TEST_CONTEXT'];
  const result = spawnSync(nodeBin, ['--test', `--test-global-setup=${guard}`, file], { encoding: 'utf8', env, cwd: dir });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('npm test runs the whole suite under the system-folders guard', async () => {
  const { default: pkg } = await import('../../package.json', { with: { type: 'json' } });
  assert.match(pkg.scripts.test, /--test-global-setup=test\/support\/system-folders-guard\.ts/);
});

test('the guard fails the run when a test creates a watched folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'voicebot-guard-root-'));
  const watched = join(root, 'lib-voicebot');
  const run = runGuarded(`fs.mkdirSync(${JSON.stringify(watched)}); fs.writeFileSync(${JSON.stringify(join(watched, 'calls.db'))}, 'x');`, [watched]);
  assert.notEqual(run.status, 0, run.output);
  assert.match(run.output, /SYSTEM FOLDERS TOUCHED BY THE TEST RUN/);
  assert.match(run.output, new RegExp(`created ${watched}`));
});

test('the guard fails the run when a test changes a file in an existing watched folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'voicebot-guard-root-'));
  const watched = join(root, 'log-voicebot');
  mkdirSync(watched);
  writeFileSync(join(watched, 'voicebot.log'), 'old\n');
  const run = runGuarded(`fs.appendFileSync(${JSON.stringify(join(watched, 'voicebot.log'))}, 'a test line\\n');`, [watched]);
  assert.notEqual(run.status, 0, run.output);
  assert.match(run.output, /changed .*voicebot\.log/);
});

test('the guard passes a run that stays in its own temp folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'voicebot-guard-root-'));
  const run = runGuarded(`fs.writeFileSync(${JSON.stringify(join(root, 'elsewhere.txt'))}, 'x');`, [join(root, 'lib-voicebot')]);
  assert.equal(run.status, 0, run.output);
});
