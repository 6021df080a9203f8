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
  assert.match(result.stdout, /PASS {2}native Silero VAD .*\(embedded\)/);
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

test('the single executable runs a whole simulated call: greeting, a caller turn, a reply, hangup', async () => {
  const { testCallConfig } = await import('../support/call-config.ts');
  const { startFakeOllama } = await import('../../src/simulate/fake-ollama.ts');
  const { callerAudio, speechUnavailable } = await import('../../src/simulate/caller-speech.ts');
  const { writeWav } = await import('../../src/audio/wav.ts');
  const { runSimulatedCall } = await import('../../src/simulate/simulate.ts');
  const ollama = await startFakeOllama({ tokenDelayMs: 0 });
  try {
    const setup = testCallConfig({ ollamaHost: ollama.host });
    const callerWav = join(setup.dir, 'caller.wav');
    writeWav(callerWav, { sampleRateHz: 8000, channels: 1, samples: callerAudio([2500, 'What time do you open tomorrow?', 6000], 8000) });
    const result = await runSimulatedCall({
      callerWav, outDir: join(setup.dir, 'out'), program: [binary], timeScale: 2, hangupAfterAudioMs: 500,
      env: { PATH: '/usr/bin:/bin', VOICEBOT_CONFIG: setup.configPath, VOICEBOT_NATIVE_DIR: mkdtempSync(join(tmpdir(), 'voicebot-native-call-')) },
    });
    assert.equal(result.call.exitCode, 0, result.call.stderr);
    const commands = result.call.commands.map((row) => row.cmd ?? '');
    assert.equal(commands.find((cmd) => cmd !== '' && !cmd.startsWith('GET VARIABLE')), 'ANSWER');
    const plays = commands.filter((cmd) => cmd.startsWith('STREAM FILE'));
    assert.ok(plays.length >= 2, `greeting and a reply were played: ${plays.join(' | ')}`);
    assert.match(plays[0] ?? '', /\/phrases\//, 'the greeting comes from the phrase cache');
    assert.ok(ollama.requests.some((request) => request.path === '/api/chat'), speechUnavailable() ?? 'the caller turn reached the language model');
    const Database = (await import('../../src/runtime/native.ts')).loadBetterSqlite3();
    const db = new Database(setup.dbPath, { readonly: true });
    const turns = db.prepare('SELECT role FROM turns ORDER BY seq').all() as { role: string }[];
    const call = db.prepare('SELECT end_reason FROM calls').get() as { end_reason: string };
    db.close();
    assert.deepEqual(turns.map((turn) => turn.role).slice(0, 3), ['bot', 'caller', 'bot']);
    assert.equal(call.end_reason, 'caller_hangup');
  } finally {
    await ollama.close();
  }
});
