import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import packageJson from '../../package.json' with { type: 'json' };
import { mainTs, nodeBin } from '../support/paths.ts';

function run(args: string[], env: NodeJS.ProcessEnv = {}, input = '') {
  return spawnSync(nodeBin, [mainTs, ...args], {
    encoding: 'utf8',
    input,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
    timeout: 30_000,
  });
}

test('--version prints the package version on stdout', () => {
  const result = run(['--version']);
  assert.equal(result.status, 0);
  assert.equal(result.stdout, `${packageJson.version}\n`);
});

test('--help lists the subcommands', () => {
  const result = run(['--help']);
  assert.equal(result.status, 0);
  for (const command of ['doctor', 'call']) assert.match(result.stdout, new RegExp(`\\b${command}\\b`));
});

test('an unknown subcommand or option is a usage error: exit 2, stderr only', () => {
  for (const args of [['doctr'], ['--bogus'], ['doctor', '--nope']]) {
    const result = run(args);
    assert.equal(result.status, 2, `${args.join(' ')}: exit code`);
    assert.equal(result.stdout, '', `${args.join(' ')}: nothing on stdout`);
    assert.match(result.stderr, /error: unknown (command|option)/);
  }
  assert.match(run(['doctr']).stderr, /Did you mean doctor\?/);
});

test('under Asterisk (AST_AGI_DIR set) every argument is the profile, never a subcommand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-cli-'));
  const conf = join(dir, 'voicebot.conf');
  writeFileSync(conf, `[general]\ndb_path = ${dir}/calls.db\nlog_file = ${dir}/voicebot.log\ncache_dir = ${dir}/cache\n[sales]\n`);
  // `doctor` here is a profile name: the call entry reports that no such profile exists. A config
  // that does not load logs to VOICEBOT_LOG_FILE (else the system log folder when it exists).
  const result = run(['doctor'], { AST_AGI_DIR: '/var/lib/asterisk/agi-bin', VOICEBOT_CONFIG: conf, VOICEBOT_LOG_FILE: join(dir, 'voicebot.log') }, '');
  assert.equal(result.stdout.includes('PASS'), false, 'doctor did not run');
  assert.match(result.stderr, /no profile \[doctor\]/);
});

test('doctor fails with a fix when the config names a missing model, and exits 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-cli-'));
  const conf = join(dir, 'voicebot.conf');
  writeFileSync(conf, `[general]\ndb_path = ${dir}/calls.db\nlog_file = ${dir}/voicebot.log\ncache_dir = ${dir}/cache\nvosk_model_dir = ${dir}/no-model\nollama_host = http://127.0.0.1:9\n`);
  const result = run(['doctor', '--config', conf]);
  assert.equal(result.status, 1);
  assert.match(result.stdout, /^PASS {2}native better-sqlite3/m);
  assert.match(result.stdout, /^PASS {2}database/m);
  assert.match(result.stdout, /^FAIL {2}vosk model .*no-model does not exist\n {6}fix: /m);
  assert.match(result.stdout, /^FAIL {2}ollama/m);
});

test('doctor names the file, line and key of a bad config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-cli-'));
  const conf = join(dir, 'voicebot.conf');
  // The other checks run too (every config error is reported in one run): keep their paths in the temp folder.
  writeFileSync(conf, `[general]\nlog_levle = debug\ndb_path = ${dir}/calls.db\nlog_file = ${dir}/voicebot.log\ncache_dir = ${dir}/cache\n`);
  const result = run(['doctor', '--config', conf]);
  assert.equal(result.status, 1);
  assert.match(result.stdout, new RegExp(`FAIL {2}config .*${conf}:2: key 'log_levle'.*\n +fix: did you mean 'log_level'`));
});
