import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatAgiEnv } from '../../src/agi/env.ts';
import { testCallConfig } from '../support/call-config.ts';
import { runScriptedAsterisk } from '../support/scripted-asterisk.ts';

const ENV = formatAgiEnv([['agi_request', 'voicebot'], ['agi_channel', 'SIP/100-00000001'], ['agi_uniqueid', '1700000000.1'], ['agi_enhanced', '1.0'], ['agi_accountcode', '']]);

/**
 * Run the real voicebot as Asterisk would, but with a hostile "Asterisk" the test scripts:
 * `respond` gets every command line the program writes and returns what to send back.
 */
async function runHostile(options: { withFd3: boolean; start: string | Buffer; endStdin?: boolean; respond: (line: string, index: number) => string | Buffer | undefined }) {
  // A config of its own: the refused call's row, the cache and the log stay in the temp folder.
  const { configPath, logFile } = testCallConfig();
  const run = await runScriptedAsterisk({ ...options, env: { VOICEBOT_CONFIG: configPath, VOICEBOT_LOG_FILE: logFile, VOICEBOT_LOG_STDERR: 'yes' } });
  let log = '';
  try { log = readFileSync(logFile, 'utf8'); } catch { /* no log */ }
  return { ...run, log };
}

const AGI_LINE = /^(GET VARIABLE|SET VARIABLE|ANSWER|WAIT FOR DIGIT|HANGUP|VERBOSE|NOOP|GET FULL VARIABLE|CHANNEL STATUS)( |$)/;

function assertClean(result: Awaited<ReturnType<typeof runHostile>>, code: RegExp): void {
  const context = `stderr:\n${result.stderr}`;
  assert.equal(result.signal, null, `not killed (${result.signal}): it must never hang\n${context}`);
  assert.equal(result.code, 0, context);
  assert.match(result.log, code, `the typed error is logged\n${result.log}`);
  assert.ok(result.commands.every((line) => AGI_LINE.test(line)), `stdout carried only AGI commands: ${JSON.stringify(result.commands)}`);
  assert.equal(result.partial, '', 'no stray bytes on stdout');
  assert.doesNotMatch(result.stderr, /internal error|forced exit/);
}

test('a malformed reply: logged AGI_MALFORMED_REPLY, exit 0', async () => {
  const result = await runHostile({ withFd3: true, start: ENV, respond: (_line, i) => (i === 0 ? '200 result=0\n' : 'HTTP/1.1 200 OK\n') });
  assertClean(result, /AGI_MALFORMED_REPLY/);
});

test('a 1 MB line from Asterisk: logged AGI_LINE_TOO_LONG, exit 0', async () => {
  const result = await runHostile({ withFd3: true, start: ENV, respond: (_line, i) => (i === 0 ? '200 result=0\n' : Buffer.alloc(1024 * 1024, 0x41)) });
  assertClean(result, /AGI_LINE_TOO_LONG/);
});

test('an env block without the closing empty line, then EOF: logged AGI_ENV_INCOMPLETE, exit 0, nothing written', async () => {
  const result = await runHostile({ withFd3: true, start: ENV.slice(0, -1), endStdin: true, respond: () => undefined });
  assertClean(result, /AGI_ENV_INCOMPLETE/);
  assert.deepEqual(result.commands, []);
});

test('fd 3 closed at start: logged FD3_UNAVAILABLE, VOICEBOT_STATUS=ERROR for the dialplan, no ANSWER, exit 0', async () => {
  const result = await runHostile({ withFd3: false, start: ENV, respond: () => '200 result=1\n' });
  assertClean(result, /FD3_UNAVAILABLE/);
  // The reason reaches the Asterisk console before the status (VERBOSE works before ANSWER).
  assert.equal(result.commands.length, 3, result.commands.join('\n'));
  assert.match(result.commands[0] ?? '', /^VERBOSE "voicebot: not answering: FD3_UNAVAILABLE: .*Fix: run voicebot with EAGI\(\), not AGI\(\)" 1$/);
  assert.deepEqual(result.commands.slice(1), ['SET VARIABLE VOICEBOT_STATUS "ERROR"', 'SET VARIABLE VOICEBOT_ACTION "handoff"']);
});
