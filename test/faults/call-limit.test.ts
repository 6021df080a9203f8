import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callerTimeline, describeRun, readStore, startFaultCall } from './support/call.ts';
import { hookedOllama } from './support/ollama.ts';

const MAX_CALL_SECONDS = 10;
const GRACE_MS = 5000; // CALL_LIMIT_GRACE_MS
/** After the limit: the reply still owed is waited for (dead-reply timeout), then the status lines; generous for CI. */
const TAIL_MS = 5000;

test('max_call_seconds is a wall-clock limit: a reply Asterisk never sends (with a long agi_reply_timeout_ms) still ends the call', async (t) => {
  const ollama = await hookedOllama(() => {});
  t.after(() => ollama.close());
  const run = await startFaultCall({
    callerAudio: callerTimeline([30_000]), ollamaHost: ollama.host, timeScale: 1, killAfterMs: 40_000,
    settings: { max_call_seconds: MAX_CALL_SECONDS, agi_reply_timeout_ms: 60_000, silence_reprompt_seconds: 20 },
    proxy: { muteFrom: { command: 'WAIT FOR DIGIT' } },
    listenWith: 'wait-for-digit',
  });
  const result = await run.finished;
  const context = describeRun(result).slice(0, 5000);
  t.diagnostic(`exit ${Math.round(result.exitAtMs)} ms after start (limit ${MAX_CALL_SECONDS * 1000} ms + grace ${GRACE_MS} ms)`);
  assert.equal(result.exitCode, 0, context);
  assert.equal(result.killed, false, context);
  assert.ok(result.exitAtMs <= MAX_CALL_SECONDS * 1000 + GRACE_MS + TAIL_MS, context);
  assert.match(result.log, /hangup cause=call-limit/, context);
  const calls = readStore(result.dbPath).calls;
  assert.equal(calls[0]?.end_reason, 'max_call_seconds', context);
  assert.notEqual(calls[0]?.ended_at, null, context);
});
