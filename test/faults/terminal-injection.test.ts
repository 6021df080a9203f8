import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawDb, runCli } from '../store/helpers.ts';
import { callerTimeline, describeRun, startFaultCall } from './support/call.ts';

/** A display name a caller can set on their phone: clear screen, home, bell, carriage return, a bidi override. */
const HOSTILE_NAME = '\u001b[2J\u001b[HPWNED\u0007\rroot\u202e';
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/u;

test('control characters in the caller id reach the DB verbatim but calls list/show print them escaped', async () => {
  const run = await startFaultCall({ callerAudio: callerTimeline([1000]), ollamaHost: 'http://127.0.0.1:9', timeScale: 1, args: ['nosuch'], callerIdName: HOSTILE_NAME, killAfterMs: 20_000 });
  const result = await run.finished;
  assert.equal(result.exitCode, 0, describeRun(result));
  const db = rawDb(result.dbPath, { readonly: true });
  const stored = db.prepare('SELECT id, caller_name FROM calls').get() as { id: string; caller_name: string };
  db.close();
  assert.equal(stored.caller_name, HOSTILE_NAME, 'the call log keeps the text as Asterisk sent it');
  for (const args of [['list'], ['show', stored.id]]) {
    const out = await runCli(['calls', '--db', result.dbPath, ...args]);
    assert.equal(out.code, 0, out.stderr);
    assert.doesNotMatch(out.stdout, RAW_CONTROLS, `calls ${args[0]} prints no raw control character`);
    assert.ok(out.stdout.includes('\\x1b[2J\\x1b[HPWNED\\x07\\x0droot\\u202e'), `the name is shown escaped:\n${out.stdout}`);
  }
});
