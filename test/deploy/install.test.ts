import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { repoRoot } from '../support/paths.ts';

const isRoot = process.getuid?.() === 0;
const hasMake = spawnSync('make', ['--version']).status === 0;
const NOBODY_UID = 65534;

/** A staging root and a stand-in for dist/voicebot (the test never builds). */
function stage(): { dir: string; root: string; binary: string } {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-install-'));
  const binary = join(dir, 'voicebot-stand-in');
  writeFileSync(binary, '#!/bin/sh\necho 0.0.0-stand-in\n');
  return { dir, root: join(dir, 'root'), binary };
}

function make(target: string, vars: Record<string, string>, asUid?: number) {
  const args = ['-s', '-C', repoRoot, target, ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)];
  const command = asUid === undefined ? 'make' : 'setpriv';
  const fullArgs = asUid === undefined ? args : [`--reuid=${asUid}`, `--regid=${asUid}`, '--clear-groups', 'make', ...args];
  const result = spawnSync(command, fullArgs, { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

function mode(path: string): string {
  return (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');
}

const skipNoMake = hasMake ? false : 'make is not installed';

test('install-only into a DESTDIR: every file and folder with its mode, a config that loads, a logrotate snippet', { skip: skipNoMake }, () => {
  const { root, binary } = stage();
  const result = make('install-only', { DESTDIR: root, BINARY: binary, ASTERISK_USER: 'no-such-user-vb', DATA_DIR: '/srv/voicebot' });
  assert.equal(result.status, 0, result.out);
  const expected: [string, string][] = [
    ['var/lib/asterisk/agi-bin/voicebot', '0755'],
    ['etc/asterisk/voicebot.conf', '0640'],
    ['etc/asterisk/voicebot-prompts', '0750'],
    ['etc/asterisk/voicebot-prompts/receptionist.txt', '0640'],
    ['etc/asterisk/voicebot-prompts/orders.txt', '0640'],
    ['etc/asterisk/extensions-voicebot.conf', '0640'],
    ['srv/voicebot', '0750'],
    ['srv/voicebot/models', '0750'],
    ['srv/voicebot/models/README.md', '0644'],
    ['var/cache/voicebot', '0700'],
    ['var/log/voicebot', '0750'],
    ['etc/logrotate.d/voicebot', '0644'],
    ['etc/systemd/system/voicebot.service', '0644'],
    ['usr/local/share/voicebot/fetch-models', '0755'],
    ['usr/local/share/voicebot/voicebot.conf.sample', '0644'],
  ];
  for (const [path, want] of expected) assert.equal(mode(join(root, path)), want, `${path} mode`);
  assert.equal(readFileSync(join(root, 'var/lib/asterisk/agi-bin/voicebot'), 'utf8'), readFileSync(binary, 'utf8'), 'the binary was copied');
  assert.ok(lstatSync(join(root, 'usr/local/bin/voicebot')).isSymbolicLink());
  assert.equal(readlinkSync(join(root, 'usr/local/bin/voicebot')), '/var/lib/asterisk/agi-bin/voicebot', 'the link points at the real path, not the staging one');

  // The installed config is the sample with the overridden DATA_DIR written in, and it loads.
  const loaded = loadConfig({ path: join(root, 'etc/asterisk/voicebot.conf'), env: {} });
  assert.deepEqual(loaded.profiles, ['receptionist', 'orders']);
  const config = loaded.resolve('receptionist');
  assert.equal(config.db_path, '/srv/voicebot/calls.db');
  assert.equal(config.vosk_model_dir, '/srv/voicebot/models/vosk');
  assert.equal(config.piper_voice, '/srv/voicebot/models/voice.onnx');
  assert.equal(config.cache_dir, '/var/cache/voicebot', 'not overridden: stays the default');
  assert.equal(config.llm_prompt_file, join(root, 'etc/asterisk/voicebot-prompts/receptionist.txt'));

  const logrotate = readFileSync(join(root, 'etc/logrotate.d/voicebot'), 'utf8');
  assert.match(logrotate, /^\/var\/log\/voicebot\/\*\.log \{/m);
  assert.match(logrotate, /create 0640 no-such-user-vb no-such-user-vb/);
  const unit = readFileSync(join(root, 'etc/systemd/system/voicebot.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/var\/lib\/asterisk\/agi-bin\/voicebot serve$/m, 'the unit runs the installed binary, not the staging copy');
  assert.match(unit, /^User=no-such-user-vb$/m);
  assert.match(unit, /^Environment=VOICEBOT_CONFIG=\/etc\/asterisk\/voicebot.conf$/m);
  assert.match(result.out, /note: ownership NOT set \((not running as root|user 'no-such-user-vb' does not exist here)\)/);
  assert.match(result.out, /chown no-such-user-vb:no-such-user-vb \S*\/srv\/voicebot\n/, 'the chown still to run is printed');
});

test('an existing config and prompt are preserved; the new samples are written as .dist; the binary is replaced', { skip: skipNoMake }, () => {
  const { root, binary } = stage();
  const vars = { DESTDIR: root, BINARY: binary, ASTERISK_USER: 'no-such-user-vb' };
  mkdirSync(join(root, 'etc/asterisk/voicebot-prompts'), { recursive: true });
  const mine = '[general]\nollama_model = mine:7b\n\n[receptionist]\n';
  writeFileSync(join(root, 'etc/asterisk/voicebot.conf'), mine, { mode: 0o600 });
  writeFileSync(join(root, 'etc/asterisk/voicebot-prompts/receptionist.txt'), 'my prompt\n');
  const first = make('install-only', vars);
  assert.equal(first.status, 0, first.out);
  assert.equal(readFileSync(join(root, 'etc/asterisk/voicebot.conf'), 'utf8'), mine, 'the admin\'s config is untouched');
  assert.equal(mode(join(root, 'etc/asterisk/voicebot.conf')), '0600', 'and so is its mode');
  assert.equal(readFileSync(join(root, 'etc/asterisk/voicebot-prompts/receptionist.txt'), 'utf8'), 'my prompt\n');
  assert.equal(readFileSync(join(root, 'etc/asterisk/voicebot.conf.dist'), 'utf8'), readFileSync(join(repoRoot, 'etc-asterisk/voicebot.conf'), 'utf8'));
  assert.ok(existsSync(join(root, 'etc/asterisk/voicebot-prompts/receptionist.txt.dist')));
  assert.ok(existsSync(join(root, 'etc/asterisk/voicebot-prompts/orders.txt')), 'a prompt that was missing is added');
  assert.match(first.out, /kept {4}\S*etc\/asterisk\/voicebot\.conf \(yours/);

  // Upgrade: a second install replaces the binary and still keeps the config.
  writeFileSync(binary, '#!/bin/sh\necho 2\n');
  const second = make('install-only', vars);
  assert.equal(second.status, 0, second.out);
  assert.equal(readFileSync(join(root, 'var/lib/asterisk/agi-bin/voicebot'), 'utf8'), '#!/bin/sh\necho 2\n');
  assert.equal(readFileSync(join(root, 'etc/asterisk/voicebot.conf'), 'utf8'), mine);
});

test('uninstall keeps config and data; PURGE=1 removes them too', { skip: skipNoMake }, () => {
  const { root, binary } = stage();
  const vars = { DESTDIR: root, BINARY: binary, ASTERISK_USER: 'no-such-user-vb' };
  assert.equal(make('install-only', vars).status, 0);
  writeFileSync(join(root, 'var/lib/voicebot/calls.db'), 'data');
  const keep = make('uninstall', vars);
  assert.equal(keep.status, 0, keep.out);
  for (const gone of ['var/lib/asterisk/agi-bin/voicebot', 'usr/local/bin/voicebot', 'etc/logrotate.d/voicebot', 'usr/local/share/voicebot']) {
    assert.equal(existsSync(join(root, gone)), false, `${gone} removed`);
  }
  for (const kept of ['etc/asterisk/voicebot.conf', 'etc/asterisk/voicebot-prompts/orders.txt', 'var/lib/voicebot/calls.db', 'var/cache/voicebot', 'var/log/voicebot']) {
    assert.ok(existsSync(join(root, kept)), `${kept} kept`);
  }
  assert.match(keep.out, /PURGE=1 removes them/);
  const purge = make('uninstall', { ...vars, PURGE: '1' });
  assert.equal(purge.status, 0, purge.out);
  for (const gone of ['etc/asterisk/voicebot.conf', 'etc/asterisk/voicebot-prompts', 'etc/asterisk/extensions-voicebot.conf', 'var/lib/voicebot', 'var/cache/voicebot', 'var/log/voicebot']) {
    assert.equal(existsSync(join(root, gone)), false, `${gone} purged`);
  }
  assert.ok(existsSync(join(root, 'var/lib/asterisk/agi-bin')), "Asterisk's own agi-bin folder stays");
});

test('install-only without a built binary fails with the fix', { skip: skipNoMake }, () => {
  const { dir, root } = stage();
  const result = make('install-only', { DESTDIR: root, BINARY: join(dir, 'missing') });
  assert.notEqual(result.status, 0);
  assert.match(result.out, /does not exist: run `make build` first/);
  assert.equal(existsSync(join(root, 'etc')), false, 'nothing was installed');
});

test('as root with an existing user: data, cache and log folders belong to it, config is root:<its group>', { skip: !hasMake ? 'make is not installed' : !isRoot ? 'needs root to chown (run the suite as root to cover it)' : false }, () => {
  const { root, binary } = stage();
  const result = make('install-only', { DESTDIR: root, BINARY: binary, ASTERISK_USER: 'nobody' });
  assert.equal(result.status, 0, result.out);
  assert.doesNotMatch(result.out, /ownership NOT set/);
  const nobodyGid = statSync(join(root, 'var/lib/voicebot')).gid;
  for (const dir of ['var/lib/voicebot', 'var/cache/voicebot', 'var/log/voicebot']) {
    assert.equal(statSync(join(root, dir)).uid, NOBODY_UID, `${dir} owner`);
  }
  for (const file of ['etc/asterisk/voicebot.conf', 'etc/asterisk/voicebot-prompts', 'var/lib/voicebot/models']) {
    assert.equal(statSync(join(root, file)).uid, 0, `${file} owned by root`);
    assert.equal(statSync(join(root, file)).gid, nobodyGid, `${file} group is the user's group`);
  }
  assert.equal(statSync(join(root, 'var/lib/asterisk/agi-bin/voicebot')).uid, 0, 'the binary belongs to root');
});

test('as a non-root user into its own DESTDIR: works, skips chown with a note', { skip: !hasMake ? 'make is not installed' : !isRoot ? 'needs root to switch to another user with setpriv' : false }, (t) => {
  const { dir, root, binary } = stage();
  chmodSync(dir, 0o777);
  chmodSync(binary, 0o755);
  const probe = spawnSync('setpriv', [`--reuid=${NOBODY_UID}`, `--regid=${NOBODY_UID}`, '--clear-groups', 'test', '-r', join(repoRoot, 'scripts', 'install.sh')]);
  if (probe.status !== 0) {
    t.skip('nobody cannot read this checkout (a folder above it is closed)');
    return;
  }
  const result = make('install-only', { DESTDIR: root, BINARY: binary, ASTERISK_USER: 'nobody' }, NOBODY_UID);
  assert.equal(result.status, 0, result.out);
  assert.match(result.out, /note: ownership NOT set \(not running as root\)/);
  assert.equal(statSync(join(root, 'var/lib/voicebot')).uid, NOBODY_UID, 'created by the user who ran it');
  assert.equal(mode(join(root, 'var/cache/voicebot')), '0700');
});
