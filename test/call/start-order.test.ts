import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PendingEngine } from '../../src/call/adapters/voice.ts';
import { silentLogger } from '../../src/log.ts';
import { WriteQueue, type PendingWrite } from '../../src/store/write-queue.ts';
import { ToneTestVoice } from '../../src/tts/tone-test-voice.ts';
import type { TtsEngine } from '../../src/tts/engine.ts';
import { runCall } from './harness.ts';

/** A call's start: what the greeting needs runs first, the rest waits for its STREAM FILE. */

function write(op: string, into: string[]): PendingWrite {
  return { op, callId: 'c', fields: {}, run: () => { into.push(op); } };
}

test('a held write queue keeps writes in order until released; exit and close still write them while held', () => {
  const written: string[] = [];
  const queue = new WriteQueue({ logger: silentLogger, retryMaxMs: 1000 });
  queue.hold();
  queue.push(write('openCall', written));
  queue.push(write('markAnswered', written));
  assert.deepEqual(written, [], 'nothing runs while held');
  assert.equal(queue.stats.pending, 2);
  queue.release();
  assert.deepEqual(written, ['openCall', 'markAnswered']);
  queue.hold();
  queue.push(write('addTurn', written));
  queue.drainSync('process exiting');
  assert.deepEqual(written, ['openCall', 'markAnswered', 'addTurn'], 'the last-chance drain ignores the hold');
});

test('a pending voice loads when its gate opens, or at once when something must be synthesised first; never after close', async () => {
  let loads = 0;
  const load = async (): Promise<TtsEngine> => { loads += 1; return new ToneTestVoice(); };
  const gate = Promise.withResolvers<boolean>();
  const gated = new PendingEngine(load, { name: 't', cacheKey: 'k' }, gate.promise);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(loads, 0, 'not before the gate');
  gate.resolve(true);
  await gate.promise;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(loads, 1);

  const early = new PendingEngine(load, { name: 't', cacheKey: 'k' }, new Promise(() => {}));
  const pcm = await early.synthesize('Hello there.');
  assert.ok(pcm.samples.length > 0);
  assert.equal(loads, 2, 'an uncached greeting does not wait for the gate');

  const closedGate = Promise.withResolvers<boolean>();
  const closed = new PendingEngine(load, { name: 't', cacheKey: 'k' }, closedGate.promise);
  closed.close();
  closedGate.resolve(true);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(loads, 2, 'a call that ended before its gate never loads the voice');

  const endedFirst = Promise.withResolvers<boolean>();
  new PendingEngine(load, { name: 't', cacheKey: 'k' }, endedFirst.promise);
  endedFirst.resolve(false);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(loads, 2, 'a gate that opens because the call ended loads nothing');
});

test('in a call, the greeting is written before the speech detector, the speech model and the model warm-up start', async () => {
  const run = await runCall({ caller: [6000, 'Hello.', 4000], replies: [{ content: 'Hi.' }], hangupAfterAudioMs: 1000 });
  assert.equal(run.result.exitCode, 0, run.context);
  const at = (pattern: RegExp) => run.log.split('\n').findIndex((line) => pattern.test(line));
  const greeting = at(/\[CALL\] .*greeting sinceStartMs=/);
  assert.ok(greeting !== -1, run.context);
  for (const later of [/speech detector ready/, /\[STT\] .*model loaded/, /model warm/]) {
    const index = at(later);
    assert.ok(index > greeting, `${later} comes after the greeting line\n${run.log}`);
  }
  assert.equal(run.call.answered_at !== null, true, 'the held call-log writes were stored');
  assert.deepEqual(run.turns.map((t) => t.role), ['bot', 'caller', 'bot']);
});
