import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callerTimeline, describeRun, readStore, startFaultCall, storeProblems } from './support/call.ts';
import { hookedOllama } from './support/ollama.ts';
import { runCli } from '../store/helpers.ts';
import { descendants } from './support/proc.ts';

const caller = callerTimeline([700, { speakMs: 900 }, 4000, { speakMs: 800 }, 4000]);

test('SIGKILL of voicebot mid-turn: the DB keeps every turn completed before it, calls shows the row as process gone, and the next call closes it as crashed', async (t) => {
  let kill: () => void = () => {};
  const ollama = await hookedOllama((n) => { if (n === 2) setTimeout(() => kill(), 120); }, { content: 'Sure. We open at nine on Saturday and we close at five.', firstTokenDelayMs: 30 }, 60);
  t.after(() => ollama.close());
  const run = await startFaultCall({ callerAudio: caller, ollamaHost: ollama.host, timeScale: 2, events: [{ action: 'hangup', atMs: 10500 }] });
  let children: number[] = [];
  kill = () => {
    const pid = run.voicebotPid();
    assert.ok(pid !== undefined, 'voicebot runs when the second reply streams');
    children = descendants(pid);
    process.kill(pid, 'SIGKILL');
  };
  const result = await run.finished;
  const context = describeRun(result);
  assert.equal(result.exitSignal, 'SIGKILL', context);
  assert.deepEqual(children, [], 'voicebot had no child processes to leave behind');
  assert.deepEqual(result.leftoverPids, [], 'nothing of the process group survives');
  assert.ok(ollama.requests.filter((r) => r.path === '/api/chat').at(-1)?.clientAborted, 'the in-flight LLM request died with the process');
  assert.deepEqual(storeProblems(result, { callClosed: false }), [], context);
  const stored = readStore(result.dbPath);
  assert.equal(stored.integrity, 'ok');
  assert.deepEqual(stored.turns.map((turn) => turn.role), ['bot', 'caller', 'bot', 'caller'], 'greeting, turn 1, and the caller half of turn 2 (written before the LLM request)');
  assert.equal(stored.calls[0]?.ended_at, null, 'a killed process cannot close its row: the call stays open in the log');
  const listed = await runCli(['calls', '--db', result.dbPath, 'list']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /open .* process gone/, `calls list tells the killed call from a live one\n${listed.stdout}`);

  // The next call on the same file (SQLite recovers the WAL of the killed writer).
  const ollama2 = await hookedOllama(() => {});
  t.after(() => ollama2.close());
  const next = await startFaultCall({
    callerAudio: callerTimeline([700, { speakMs: 900 }, 2500]), ollamaHost: ollama2.host, timeScale: 2,
    settings: { db_path: result.dbPath }, events: [{ action: 'hangup', atMs: 4000 }],
  });
  const nextResult = await next.finished;
  assert.equal(nextResult.exitCode, 0, describeRun(nextResult));
  const after = readStore(result.dbPath);
  assert.equal(after.integrity, 'ok');
  assert.equal(after.calls.length, 2);
  assert.ok(after.calls.some((row) => row.ended_at !== null && row.end_reason === 'caller_hangup'), 'the second call is stored and closed');
  const killed = after.calls.find((row) => row.id === stored.calls[0]?.id);
  assert.equal(killed?.end_reason, 'crashed', 'the next call start closed the killed call\'s row');
  assert.notEqual(killed?.ended_at, null);
});
