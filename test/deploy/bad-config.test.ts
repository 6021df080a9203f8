import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatAgiEnv } from '../../src/agi/env.ts';
import { testCallConfig } from '../support/call-config.ts';
import { mainTs, nodeBin } from '../support/paths.ts';
import { rawDb } from '../store/helpers.ts';
import { runScriptedAsterisk } from '../support/scripted-asterisk.ts';

/** A working test config plus one bad [sales] line; returns where that line is. */
function badConfig(line: string): { configPath: string; logFile: string; dbPath: string; dir: string; lineNo: number } {
  const base = testCallConfig();
  const text = readFileSync(base.configPath, 'utf8');
  const addition = `\n[sales]\ngreeting = Sales here.\n${line}\n`;
  appendFileSync(base.configPath, addition);
  const lineNo = (text + addition).split('\n').indexOf(line) + 1;
  return { ...base, lineNo };
}

const CASES = [
  { name: 'an unknown key', line: 'ollama_modle = llama3.2:3b', key: 'ollama_modle', problem: /is not a voicebot setting.*fix: did you mean 'ollama_model'/i },
  { name: 'a wrong type', line: 'max_turns = many', key: 'max_turns', problem: /'many' is not a number.*fix: set max_turns to a whole number from 1 to 1000/i },
  { name: 'a missing prompt file', line: 'llm_prompt_file = prompts/missing.txt', key: 'llm_prompt_file', problem: /prompt file \S*prompts\/missing\.txt does not exist/ },
] as const;

for (const bad of CASES) {
  test(`doctor names the file, line and key of ${bad.name}`, () => {
    const { configPath, lineNo } = badConfig(bad.line);
    const result = spawnSync(nodeBin, [mainTs, 'doctor', '--config', configPath, '--user', 'no-such-user-vb'], {
      encoding: 'utf8', env: { PATH: process.env['PATH'] }, timeout: 60_000,
    });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    const lines = result.stdout.split('\n');
    const index = lines.findIndex((l) => l.includes(`${configPath}:${lineNo}: key '${bad.key}'`));
    const line = lines[index];
    assert.ok(line !== undefined, `a line names ${configPath}:${lineNo} and '${bad.key}':\n${result.stdout}`);
    assert.match(line, /^FAIL {2}/);
    // The problem, then the fix on the next line.
    assert.match(`${line} ${lines[index + 1] ?? ''}`, bad.problem);
  });

  test(`the call entry (EAGI under a fake Asterisk) names the file, line and key of ${bad.name}, and does not answer`, async () => {
    const { configPath, logFile, lineNo, dbPath } = badConfig(bad.line);
    const call = await runCall(configPath, logFile, 'sales');
    assert.equal(call.code, 0, call.stderr);
    assert.ok(!call.commands.includes('ANSWER'), `never answered: ${JSON.stringify(call.commands)}`);
    assert.deepEqual(call.commands.filter((c) => c.startsWith('SET VARIABLE')), ['SET VARIABLE VOICEBOT_STATUS "ERROR"', 'SET VARIABLE VOICEBOT_ACTION "handoff"'],
      'the dialplan gets ERROR and a handoff');
    const where = `${configPath}:${lineNo}: key '${bad.key}'`;
    const log = readFileSync(logFile, 'utf8');
    const logLine = log.split('\n').find((l) => l.includes(where));
    assert.ok(logLine !== undefined, `the log file names ${where}:\n${log}`);
    assert.match(logLine, /ERROR \[CALL\] .*not answering: setup error/);
    assert.match(logLine, bad.problem);
    if (bad.key !== 'llm_prompt_file') assert.ok(call.stderr.includes(where), `stderr too:\n${call.stderr}`);
    assert.ok(call.commands.some((c) => c.startsWith('VERBOSE "voicebot: not answering:') && c.includes(`key '${bad.key}'`)), `the Asterisk console shows it: ${JSON.stringify(call.commands)}`);
    const db = rawDb(dbPath, { readonly: true });
    const reasons = db.prepare('SELECT end_reason FROM calls').pluck().all();
    db.close();
    assert.deepEqual(reasons, ['setup_error'], 'the refusal has its call-log row (db_path read from [general] even when another line is bad)');
  });
}

/** One EAGI call of the real program on real pipes; GET VARIABLE finds nothing, other commands succeed. */
async function runCall(configPath: string, logFile: string, profile: string) {
  const run = await runScriptedAsterisk({
    args: [profile], withFd3: true, killAfterMs: 30_000,
    env: { VOICEBOT_CONFIG: configPath, VOICEBOT_LOG_FILE: logFile },
    start: formatAgiEnv([['agi_request', 'voicebot'], ['agi_channel', 'PJSIP/100-00000001'], ['agi_uniqueid', '1700000000.9'],
      ['agi_arg_1', profile], ['agi_enhanced', '1.0']]),
    respond: (line) => (line.startsWith('GET VARIABLE') ? '200 result=0\n' : '200 result=1\n'),
  });
  return { code: run.code, commands: run.commands, stderr: run.stderr, logDir: join(logFile, '..') };
}

test('doctor reports every config error in one run, as lines and as --json, each with its own fix', () => {
  const base = testCallConfig();
  appendFileSync(base.configPath, '\nollama_modle = llama3.2:3b\nmax_turns = many\n#include other.conf\n[sales]\ndb_path = /tmp/elsewhere.db\n');
  const run = (extra: string[]) => spawnSync(nodeBin, [mainTs, 'doctor', '--config', base.configPath, '--user', 'no-such-user-vb', ...extra], {
    encoding: 'utf8', env: { PATH: process.env['PATH'] }, timeout: 60_000,
  });
  const text = run([]);
  assert.equal(text.status, 1, text.stdout + text.stderr);
  for (const expected of [/key 'ollama_modle'.*not a voicebot setting/, /key 'max_turns': 'many' is not a number/, /'#include other\.conf' is not supported/, /key 'db_path'.*applies to the whole box/]) {
    assert.match(text.stdout, expected);
  }
  // The checks after the config still run (the bad lines are skipped).
  assert.match(text.stdout, /(PASS|FAIL) {2}vosk model/);
  const json = run(['--json']);
  assert.equal(json.status, 1, json.stderr);
  const report = JSON.parse(json.stdout) as { ok: boolean; checks: { name: string; status: string; detail: string; fix?: string }[] };
  assert.equal(report.ok, false);
  const configErrors = report.checks.filter((c) => c.name === 'config' && c.status === 'FAIL');
  assert.equal(configErrors.length, 4, JSON.stringify(configErrors, null, 1));
  assert.ok(configErrors.every((c) => c.fix !== undefined && c.fix !== '' && !c.detail.includes('Fix:')), JSON.stringify(configErrors, null, 1));
});

test('a folder given as config is named as a folder, with the file to point at', () => {
  const base = testCallConfig();
  const result = spawnSync(nodeBin, [mainTs, 'doctor', '--config', base.dir, '--user', 'no-such-user-vb'], {
    encoding: 'utf8', env: { PATH: process.env['PATH'] }, timeout: 60_000,
  });
  assert.equal(result.status, 1);
  assert.match(result.stdout, /FAIL {2}config +\S+: this is a folder, not a config file\n +fix: point --config \/ VOICEBOT_CONFIG at the voicebot\.conf file/);
  assert.doesNotMatch(result.stdout, /make it readable/);
});
