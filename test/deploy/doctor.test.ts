import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, type Stats, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { accessAs, type Account } from '../../src/cli/doctor-access.ts';
import { VERSION } from '../../src/cli/version.ts';
import { defaultConfig } from '../../src/config/load.ts';
import { startFakeOllama } from '../../src/simulate/fake-ollama.ts';
import { writeTinyVoskModel } from '../../src/simulate/tiny-vosk-model.ts';
import { mainTs, nodeBin, repoRoot } from '../support/paths.ts';

const isRoot = process.getuid?.() === 0;
const hasMake = spawnSync('make', ['--version']).status === 0;
const espeakDir = defaultConfig().espeak_data_dir;
const NOBODY = 65534;

test('accessAs judges owner, group and other bits, search permission on every folder, and creation in the parent', () => {
  const tree: Record<string, { mode: number; uid: number; gid: number }> = {
    '/': { mode: 0o40755, uid: 0, gid: 0 },
    '/srv': { mode: 0o40755, uid: 0, gid: 0 },
    '/srv/data': { mode: 0o40750, uid: 100, gid: 100 },
    '/srv/data/calls.db': { mode: 0o100640, uid: 100, gid: 100 },
    '/srv/closed': { mode: 0o40700, uid: 0, gid: 0 },
    '/srv/closed/file': { mode: 0o100644, uid: 0, gid: 0 },
    '/srv/conf': { mode: 0o100640, uid: 0, gid: 200 },
  };
  const stat = (path: string) => {
    const entry = tree[path];
    if (entry === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
    return entry as unknown as Stats;
  };
  const asterisk: Account = { name: 'asterisk', uid: 100, gid: 100, groups: [100, 200] };
  const other: Account = { name: 'other', uid: 300, gid: 300, groups: [300] };
  assert.deepEqual(accessAs(asterisk, '/srv/data/calls.db', 'rw', stat), { ok: true });
  assert.deepEqual(accessAs(asterisk, '/srv/data/calls.db-wal', 'w', stat), { ok: true }, 'creatable in its own folder');
  assert.deepEqual(accessAs(asterisk, '/srv/conf', 'r', stat), { ok: true }, 'read through a supplementary group');
  const noWrite = accessAs(asterisk, '/srv/conf', 'w', stat);
  assert.equal(noWrite.ok, false);
  assert.match(noWrite.ok ? '' : noWrite.problem, /asterisk cannot write \/srv\/conf \(mode 0640, owner uid 0, group gid 200\)/);
  const enter = accessAs(asterisk, '/srv/closed/file', 'r', stat);
  assert.equal(enter.ok ? '' : `${enter.kind} ${enter.fixPath}`, 'enter /srv/closed', 'a readable file in a closed folder is not readable');
  const create = accessAs(other, '/srv/new.db', 'w', stat);
  assert.equal(create.ok ? '' : `${create.kind} ${create.fixPath}`, 'create /srv');
  const deep = accessAs(asterisk, '/srv/data/sub/dir/x', 'w', stat);
  assert.deepEqual(deep, { ok: true }, 'a missing folder chain is judged at the nearest existing folder');
  assert.equal(accessAs(other, '/srv/data/calls.db', 'r', stat).ok, false);
  assert.deepEqual(accessAs({ ...other, uid: 0 }, '/srv/closed/file', 'w', stat), { ok: true }, 'root may do anything');
});

/** A staged install with models, a voice, a stand-in binary and a config pointing into it. */
function stagedInstall(binaryVersion: string): { dir: string; root: string; conf: string } {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-doctor-'));
  const root = join(dir, 'root');
  const binary = join(dir, 'voicebot-stand-in');
  writeFileSync(binary, `#!/bin/sh\necho ${binaryVersion}\n`, { mode: 0o755 });
  const install = spawnSync('make', ['-s', '-C', repoRoot, 'install-only', `DESTDIR=${root}`, `BINARY=${binary}`, 'ASTERISK_USER=no-such-user-vb'], { encoding: 'utf8' });
  assert.equal(install.status, 0, install.stdout + install.stderr);
  writeTinyVoskModel(join(root, 'var/lib/voicebot/models/vosk'));
  writeFileSync(join(root, 'var/lib/voicebot/models/voice.onnx'), 'onnx');
  writeFileSync(join(root, 'var/lib/voicebot/models/voice.onnx.json'), '{}');
  const conf = join(root, 'etc/asterisk/voicebot.conf');
  const text = readFileSync(conf, 'utf8')
    .replace(/^\[general\]$/m, ['[general]', `agi_bin_dir = ${root}/var/lib/asterisk/agi-bin`, `db_path = ${root}/var/lib/voicebot/calls.db`,
      `log_file = ${root}/var/log/voicebot/voicebot.log`, `cache_dir = ${root}/var/cache/voicebot`,
      `vosk_model_dir = ${root}/var/lib/voicebot/models/vosk`, `piper_voice = ${root}/var/lib/voicebot/models/voice.onnx`].join('\n'));
  writeFileSync(conf, text);
  return { dir, root, conf };
}

function doctor(conf: string, user: string, ollamaHost: string): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(nodeBin, [mainTs, 'doctor', '--config', conf, '--user', user], { env: { PATH: process.env['PATH'], OLLAMA_HOST: ollamaHost } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.on('close', (status) => resolve({ status, stdout }));
  });
}

const skipInstall = !hasMake ? 'make is not installed' : !existsSync(join(espeakDir, 'phontab')) ? `no espeak-ng data in ${espeakDir} (apt-get install espeak-ng-data)` : false;

test('on a complete install doctor passes every item: natives, config, models, voice, espeak, DB, log, cache, agi-bin, each profile, Ollama', { skip: skipInstall }, async () => {
  const { conf } = stagedInstall(VERSION);
  const ollama = await startFakeOllama({ models: ['llama3.2:3b'] });
  try {
    const self = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();
    const result = await doctor(conf, self, ollama.host);
    assert.equal(result.status, 0, result.stdout);
    const lines = result.stdout.trim().split('\n');
    assert.deepEqual(lines.filter((line) => /^(FAIL|WARN)/.test(line)), [], 'nothing failed or warned');
    const names = ['native better-sqlite3', 'native koffi \\+ libvosk', 'native sherpa-onnx', 'asterisk user', 'config', 'vosk model', 'piper voice',
      'espeak-ng data', 'database', 'log file', 'cache folder', 'asterisk agi-bin', 'prompt file', 'llm settings',
      '\\[receptionist\\] prompt file', '\\[receptionist\\] llm settings', '\\[orders\\] prompt file', '\\[orders\\] llm settings', 'ollama'];
    for (const name of names) assert.match(result.stdout, new RegExp(`^PASS {2}${name} `, 'm'), `a PASS line for ${name}`);
    assert.match(result.stdout, /^PASS {2}asterisk agi-bin .*installed and executable/m);
    assert.match(result.stdout, /^PASS {2}ollama .*model 'llama3\.2:3b' is present/m);
    assert.match(result.stdout, /^\d+ passed, 0 failed$/m);
  } finally {
    await ollama.close();
  }
});

test('doctor warns about an installed binary of another version and fails on an Ollama without the model', { skip: skipInstall }, async () => {
  const { conf } = stagedInstall('0.0.1-old');
  const ollama = await startFakeOllama({ models: ['other:1b'] });
  try {
    const result = await doctor(conf, 'no-such-user-vb', ollama.host);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /^WARN {2}asterisk user +user 'no-such-user-vb' does not exist here: file access was checked for \S+ only, not as Asterisk\n {6}fix: /m);
    assert.match(result.stdout, new RegExp(`^WARN {2}asterisk agi-bin .*version 0\\.0\\.1-old, this doctor is ${VERSION.replaceAll('.', '\\.')}\\n {6}fix: run make install`, 'm'));
    assert.match(result.stdout, /^FAIL {2}ollama .*no model 'llama3\.2:3b' \(it has: other:1b\)\n {6}fix: run `ollama pull llama3\.2:3b`/m);
  } finally {
    await ollama.close();
  }
});

test('as root, doctor checks access as the Asterisk user: a root-owned data folder fails with the chown, fixed it passes', { skip: skipInstall !== false ? skipInstall : !isRoot ? 'needs root to hand files to another user' : false }, async () => {
  const { dir, root, conf } = stagedInstall(VERSION);
  chmodSync(dir, 0o755);
  const ollama = await startFakeOllama({ models: ['llama3.2:3b'] });
  try {
    // The staged install was made for a user that does not exist: everything belongs to root.
    const before = await doctor(conf, 'nobody', ollama.host);
    assert.equal(before.status, 1);
    assert.match(before.stdout, /^PASS {2}asterisk user +nobody \(uid 65534\): access also checked as nobody/m);
    assert.match(before.stdout, new RegExp(`^FAIL {2}database +nobody cannot write ${root}/var/lib/voicebot \\(mode 0750, owner uid 0, group gid 0\\); SQLite needs .*\\n {6}fix: chown nobody: ${root}/var/lib/voicebot && chmod 0750`, 'm'));
    assert.match(before.stdout, new RegExp(`^FAIL {2}vosk model +nobody cannot enter ${root}/var/lib/voicebot .*\\n {6}fix: let nobody pass through`, 'm'));
    assert.match(before.stdout, /^FAIL {2}cache folder +nobody cannot read .*\(mode 0700, owner uid 0/m);
    assert.match(before.stdout, /^FAIL {2}log file +nobody cannot enter/m);
    assert.match(before.stdout, /^FAIL {2}config access +nobody cannot read .*voicebot\.conf/m);
    assert.match(before.stdout, /^FAIL {2}\[receptionist\] prompt file +nobody cannot enter .*voicebot-prompts/m);
    assert.match(before.stdout, /^PASS {2}espeak-ng data .*; nobody can read it/m);

    for (const path of ['var/lib/voicebot', 'var/cache/voicebot', 'var/log/voicebot']) chownSync(join(root, path), NOBODY, NOBODY);
    for (const path of ['etc/asterisk/voicebot.conf', 'etc/asterisk/voicebot-prompts', 'etc/asterisk/voicebot-prompts/receptionist.txt',
      'etc/asterisk/voicebot-prompts/orders.txt', 'var/lib/voicebot/models']) chownSync(join(root, path), 0, NOBODY);
    const after = await doctor(conf, 'nobody', ollama.host);
    assert.equal(after.status, 0, after.stdout);
    assert.match(after.stdout, /^PASS {2}database .*; nobody can write it and its folder/m);
    assert.match(after.stdout, /^PASS {2}vosk model .*; nobody can read it/m);
  } finally {
    await ollama.close();
  }
});

test('doctor creates nothing: a missing cache folder is reported, not made (as root it would belong to root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-doctor-'));
  mkdirSync(join(dir, 'data'));
  const conf = join(dir, 'voicebot.conf');
  writeFileSync(conf, `[general]\ncache_dir = ${dir}/missing/cache\ndb_path = ${dir}/data/calls.db\nlog_file = ${dir}/data/v.log\nollama_host = http://127.0.0.1:9\n`);
  const result = spawnSync(nodeBin, [mainTs, 'doctor', '--config', conf, '--user', 'no-such-user-vb'], { encoding: 'utf8', env: { PATH: process.env['PATH'] } });
  assert.equal(result.status, 1);
  assert.match(result.stdout, /^FAIL {2}cache folder +folder .*\/missing does not exist\n {6}fix: run make install/m);
  assert.equal(existsSync(join(dir, 'missing')), false);
});
