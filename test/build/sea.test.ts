import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import packageJson from '../../package.json' with { type: 'json' };
import { nodeBin, repoRoot } from '../support/paths.ts';

const alone = mkdtempSync(join(tmpdir(), 'voicebot-alone-'));
const binary = join(alone, 'voicebot');

before(() => {
  const build = spawnSync(nodeBin, [join(repoRoot, 'scripts', 'build.ts')], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 });
  assert.equal(build.status, 0, `build failed:\n${build.stderr}`);
  // The binary must work copied alone, far from node_modules.
  copyFileSync(join(repoRoot, 'dist', 'voicebot'), binary);
  spawnSync('chmod', ['755', binary]);
});

function runAlone(args: string[], env: Record<string, string> = {}) {
  return spawnSync(binary, args, { cwd: '/', env, encoding: 'utf8', timeout: 60_000 });
}

test('the single executable prints its version under env -i from /', () => {
  const result = runAlone(['--version']);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, `${packageJson.version}\n`);
});

test('the single executable loads every native library from its embedded assets', () => {
  const nativeDir = mkdtempSync(join(tmpdir(), 'voicebot-native-'));
  const result = runAlone(['doctor', '--native'], { VOICEBOT_NATIVE_DIR: nativeDir });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /PASS {2}native better-sqlite3 .*\(embedded\)/);
  assert.match(result.stdout, /PASS {2}native koffi \+ libvosk .*\(embedded\)/);
  assert.match(result.stdout, /PASS {2}native sherpa-onnx .*\(embedded\)/);
  const [folder, ...others] = readdirSync(nativeDir);
  assert.equal(others.length, 0, 'one content-hash folder, no leftover staging folders');
  assert.match(folder ?? '', /^native-[0-9a-f]{16}$/);
  assert.equal(statSync(join(nativeDir, folder ?? '')).mode & 0o777, 0o700);
});

test('with no usable HOME the natives go to a per-user temp folder', () => {
  const result = runAlone(['doctor', '--native'], { HOME: '/nonexistent-home', TMPDIR: mkdtempSync(join(tmpdir(), 'voicebot-tmp-')) });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('20 processes starting at once against an empty cache all load the natives', async () => {
  const nativeDir = mkdtempSync(join(tmpdir(), 'voicebot-native-race-'));
  const runs = Array.from({ length: 20 }, () => new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(binary, ['doctor', '--native'], { cwd: '/', env: { VOICEBOT_NATIVE_DIR: nativeDir } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.on('close', (code) => resolve({ code, out }));
  }));
  const results = await Promise.all(runs);
  for (const result of results) assert.equal(result.code, 0, result.out);
  assert.deepEqual(readdirSync(nativeDir).filter((name) => name.includes('.tmp-')), [], 'staging folders cleaned up');
});

test('a usage error from the binary exits 2 with nothing on stdout', () => {
  const result = runAlone(['bogus']);
  assert.equal(result.status, 2);
  assert.equal(result.stdout, '');
});
