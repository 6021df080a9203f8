import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadLaneCount, takeLoadTurn } from '../../src/call/load-lane.ts';
import { nodeBin, repoRoot } from '../support/paths.ts';

/**
 * Host-wide load lanes (model_load_lanes): abstract Unix sockets, so these tests use a fresh
 * scope each and touch no file.
 */
const scope = () => `/tmp/load-lane-test-${randomUUID()}.db`;
const live = () => new AbortController().signal;

test('lanes: 0 means one less than the cores, at least 1; a set value is kept', () => {
  assert.equal(loadLaneCount(0, 2), 1);
  assert.equal(loadLaneCount(0, 1), 1);
  assert.equal(loadLaneCount(0, 8), 7);
  assert.equal(loadLaneCount(3, 2), 3);
});

test('one lane: the second call waits until the first releases, then takes the same lane', async () => {
  const shared = scope();
  const first = await takeLoadTurn({ scope: shared, lanes: 1, maxWaitMs: 5000, signal: live(), pollMs: 10 });
  assert.equal(first.lane, 0);
  assert.ok(first.waitedMs < 100, `a free lane is taken at once (${first.waitedMs} ms)`);
  const second = takeLoadTurn({ scope: shared, lanes: 1, maxWaitMs: 5000, signal: live(), pollMs: 10 });
  let settled = false;
  void second.then(() => { settled = true; });
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(settled, false, 'the second call must wait while the only lane is held');
  first.release();
  const turn = await second;
  assert.equal(turn.lane, 0);
  assert.ok(turn.waitedMs >= 140, `waited ${turn.waitedMs} ms`);
  turn.release();
});

test('two lanes: two calls load at once, a third waits', async () => {
  const shared = scope();
  const a = await takeLoadTurn({ scope: shared, lanes: 2, maxWaitMs: 5000, signal: live() });
  const b = await takeLoadTurn({ scope: shared, lanes: 2, maxWaitMs: 5000, signal: live() });
  assert.deepEqual([a.lane, b.lane], [0, 1]);
  const c = await takeLoadTurn({ scope: shared, lanes: 2, maxWaitMs: 120, signal: live(), pollMs: 10 });
  assert.equal(c.lane, 'waited-out');
  a.release();
  b.release();
});

test('the wait is bounded: past maxWaitMs the call loads anyway', async () => {
  const shared = scope();
  const held = await takeLoadTurn({ scope: shared, lanes: 1, maxWaitMs: 0, signal: live() });
  const started = performance.now();
  const turn = await takeLoadTurn({ scope: shared, lanes: 1, maxWaitMs: 200, signal: live(), pollMs: 10 });
  const tookMs = performance.now() - started;
  assert.equal(turn.lane, 'waited-out');
  assert.ok(tookMs >= 190 && tookMs < 1500, `gave up after ${tookMs} ms`);
  held.release();
});

test('a call that ends while waiting stops waiting at once', async () => {
  const shared = scope();
  const held = await takeLoadTurn({ scope: shared, lanes: 1, maxWaitMs: 0, signal: live() });
  const hangup = new AbortController();
  const waiting = takeLoadTurn({ scope: shared, lanes: 1, maxWaitMs: 10_000, signal: hangup.signal, pollMs: 1000 });
  setTimeout(() => hangup.abort(), 50);
  const started = performance.now();
  const turn = await waiting;
  assert.equal(turn.lane, 'ended');
  assert.ok(performance.now() - started < 500, 'the abort ends the wait, not the next poll');
  held.release();
});

test('a SIGKILLed process holding the lane frees it at once', async () => {
  const shared = scope();
  const child = spawn(nodeBin, ['--input-type=module', '-e', `
    const { takeLoadTurn } = await import(${JSON.stringify(join(repoRoot, 'src/call/load-lane.ts'))});
    const turn = await takeLoadTurn({ scope: ${JSON.stringify(shared)}, lanes: 1, maxWaitMs: 0, signal: new AbortController().signal });
    process.stdout.write(String(turn.lane) + '\\n');
    setInterval(() => {}, 1000);
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lane = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
  assert.equal(lane, '0');
  const blocked = await takeLoadTurn({ scope: shared, lanes: 1, maxWaitMs: 0, signal: live() });
  assert.equal(blocked.lane, 'waited-out', 'the child holds the only lane');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  const turn = await takeLoadTurn({ scope: shared, lanes: 1, maxWaitMs: 0, signal: live() });
  assert.equal(turn.lane, 0);
  turn.release();
});
