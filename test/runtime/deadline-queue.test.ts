import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AsyncQueue } from '../../src/runtime/async-queue.ts';
import { untilAborted, withDeadline } from '../../src/runtime/deadline.ts';

const never = new Promise<never>(() => {});

test('withDeadline: the work wins when it settles first, the fallback value or throw when the time passes first', async () => {
  assert.equal(await withDeadline(Promise.resolve('work'), 1000, () => 'gap' as const), 'work');
  assert.equal(await withDeadline(never, 10, () => 'gap' as const), 'gap');
  await assert.rejects(withDeadline(never, 10, () => { throw new Error('no reply within 10 ms'); }), /no reply within 10 ms/);
  await assert.rejects(withDeadline(Promise.reject(new Error('failed')), 1000, () => 'gap'), /failed/);
});

test('untilAborted: an abort before or during the wait settles with the fallback; the work\'s late rejection stays handled', async () => {
  const aborted = AbortSignal.abort(new Error('gone'));
  await assert.rejects(untilAborted(Promise.reject(new Error('late')), aborted, (signal) => { throw signal.reason; }), /gone/);
  const controller = new AbortController();
  const waiting = untilAborted(never, controller.signal, () => 'aborted' as const);
  controller.abort();
  assert.equal(await waiting, 'aborted');
  assert.equal(await untilAborted(Promise.resolve(1), new AbortController().signal, () => 0), 1);
});

test('AsyncQueue: items in order, timeout and abort leave later items queued, dropOldest keeps the newest', async () => {
  const queue = new AsyncQueue<number>();
  assert.deepEqual(await queue.next(10), { kind: 'timeout' });
  const controller = new AbortController();
  const waiting = queue.next(undefined, controller.signal);
  controller.abort();
  assert.deepEqual(await waiting, { kind: 'aborted' });
  for (const n of [1, 2, 3, 4]) queue.push(n);
  assert.equal(queue.dropOldest(2), 2);
  assert.equal(queue.dropOldest(2), 0);
  const later = queue.next(1000);
  queue.end();
  assert.deepEqual(await later, { kind: 'item', item: 3 });
  const rest: number[] = [];
  for await (const n of queue) rest.push(n);
  assert.deepEqual(rest, [4]);
  assert.deepEqual(await queue.next(), { kind: 'done' });
});
