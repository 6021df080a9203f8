import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeOllama } from '../../src/simulate/fake-ollama.ts';
import { callerTimeline, startFaultCall, type StoredCall } from '../faults/support/call.ts';
import { readStore, SERVE_CALL_SETTINGS, startFakeAsterisk, startServe } from './support/serve.ts';

/**
 * 20 calls at once in one serve process (test engines): every call stored whole, every bridge and
 * media channel deleted, and each call's rows the same as the same call over EAGI.
 */
const CALLS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What an admin reads of a call: its turns (role, text) and how it ended; ids and times left out. */
function shapeOf(store: StoredCall, callId: string): string {
  const call = store.calls.find((c) => c.id === callId);
  const turns = store.turns.filter((t) => t.call_id === callId).map((t) => `${t.role}:${t.text}${t.interrupted ? ' (interrupted)' : ''}`);
  return JSON.stringify({ status: call?.status, endReason: call?.end_reason, closed: call?.ended_at !== null, turns });
}

test(`${CALLS} simultaneous calls in one serve process: no row lost, everything cleaned up, the same rows as over EAGI`, async () => {
  const ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 });
  const question = () => callerTimeline([2500, { speakMs: 900 }, 12_000]);
  const hangupAtMs = 9000;
  try {
    const eagi = await startFaultCall({ callerAudio: question(), ollamaHost: ollama.host, settings: SERVE_CALL_SETTINGS, events: [{ action: 'hangup', atMs: hangupAtMs }] });
    const eagiResult = await eagi.finished;
    const eagiStore = readStore(eagi.dbPath);
    assert.equal(eagiStore.calls.length, 1, eagiResult.log);
    const expected = shapeOf(eagiStore, eagiStore.calls[0]?.id ?? '');

    const fake = await startFakeAsterisk();
    const serve = await startServe({ fake, ollamaHost: ollama.host });
    try {
      const calls = Array.from({ length: CALLS }, (_, i) => fake.placeCall({ args: [], callerNumber: `55500${i}`, callerAudio: question(), callerRateHz: 8000, sendSilence: true }));
      const timers = calls.map((call) => setTimeout(() => call.hangup(), hangupAtMs));
      const ends = await Promise.all(calls.map((call) => call.ended));
      timers.forEach(clearTimeout);
      assert.deepEqual(ends.map((end) => end.how), calls.map(() => 'caller-hangup'), serve.log());
      const deadline = Date.now() + 10_000;
      const closedRows = () => readStore(serve.dbPath).calls.filter((c) => c.ended_at !== null).length;
      while (Date.now() < deadline && (closedRows() < CALLS || fake.bridges().length > 0)) await sleep(100);
      const store = readStore(serve.dbPath);
      assert.equal(store.integrity, 'ok');
      assert.equal(store.calls.length, CALLS, 'one row per call');
      for (const row of store.calls) assert.equal(shapeOf(store, row.id), expected, `call ${row.id} has the rows of the same call over EAGI\n${serve.log()}`);
      assert.deepEqual(fake.bridges(), [], 'every bridge deleted');
      assert.deepEqual(fake.channels().filter((c) => String(c['name']).startsWith('WebSocket/')), [], 'every media channel deleted');
      assert.doesNotMatch(serve.log(), /ERROR|unhandled/, 'no call failed');
    } finally {
      await serve.stop();
      await fake.close();
    }
  } finally {
    await ollama.close();
  }
});
