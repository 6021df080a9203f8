import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openWriter } from '../../src/store/open.ts';
import { collect, rawDb, spawnWriter, tempDir } from './helpers.ts';

const WRITERS = 20;
const TURNS = 50;

test('20 writer processes x 50 turns into one file: every row present, no SQLITE_BUSY escapes', async () => {
  const path = join(tempDir(), 'calls.db');
  // A short busy timeout forces the background retry path to carry real contention.
  const results = await Promise.all(Array.from({ length: WRITERS }, (_, writer) =>
    collect(spawnWriter({ path, writer, turns: TURNS, busyTimeoutMs: 20 }))));

  let retries = 0;
  for (const [writer, result] of results.entries()) {
    assert.equal(result.code, 0, `writer ${writer} exit code (stderr: ${result.stderr})`);
    assert.doesNotMatch(result.stderr, /LOST|SQLITE_BUSY.*Error|Uncaught/, `writer ${writer} stderr`);
    const done = /^done (.*)$/m.exec(result.stdout);
    assert.ok(done !== null, `writer ${writer} finished`);
    const stats = JSON.parse(done[1]!) as { written: number; lost: number; pending: number; retries: number };
    assert.deepEqual({ written: stats.written, lost: stats.lost, pending: stats.pending }, { written: TURNS + 4, lost: 0, pending: 0 });
    retries += stats.retries;
  }
  console.log(`# ${WRITERS} writers: ${retries} locked attempts retried in the background`);

  const db = rawDb(path, { readonly: true });
  assert.equal(db.prepare('SELECT count(*) FROM calls WHERE end_reason = ?').pluck().get('hangup'), WRITERS);
  assert.equal(db.prepare('SELECT count(*) FROM turns').pluck().get(), WRITERS * TURNS);
  assert.equal(db.prepare('SELECT count(*) FROM events').pluck().get(), WRITERS);
  const perCall = db.prepare('SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM turns GROUP BY call_id').all() as { n: number; lo: number; hi: number }[];
  assert.equal(perCall.length, WRITERS);
  for (const row of perCall) assert.deepEqual(row, { n: TURNS, lo: 1, hi: TURNS });
  const texts = new Set(db.prepare('SELECT text FROM turns').pluck().all() as string[]);
  for (let writer = 0; writer < WRITERS; writer++) {
    for (let index = 1; index <= TURNS; index++) assert.ok(texts.has(`writer ${writer} turn ${index}`), `writer ${writer} turn ${index}`);
  }
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
});

test('a writer killed with SIGKILL mid-call leaves a readable DB with every completed turn', async () => {
  const path = join(tempDir(), 'calls.db');
  const child = spawnWriter({ path, writer: 7, turns: 10_000, delayMs: 2 });
  const finished = collect(child);
  let reported = 0;
  let callId = '';
  await new Promise<void>((resolve) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const match of buffer.matchAll(/^call (\S+)$/gm)) callId = match[1]!;
      for (const match of buffer.matchAll(/^turn (\d+)$/gm)) reported = Math.max(reported, Number(match[1]));
      if (reported >= 40 && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  const result = await finished;
  assert.equal(result.signal, 'SIGKILL');
  const lastReported = Math.max(reported, ...[...result.stdout.matchAll(/^turn (\d+)$/gm)].map((match) => Number(match[1])));

  const db = rawDb(path);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  const seqs = db.prepare('SELECT seq FROM turns WHERE call_id = ? ORDER BY seq').pluck().all(callId) as number[];
  assert.ok(seqs.length >= lastReported, `every reported turn stored: ${seqs.length} >= ${lastReported}`);
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, index) => index + 1), 'no gaps');
  const call = db.prepare('SELECT ended_at, answered_at FROM calls WHERE id = ?').get(callId) as { ended_at: string | null; answered_at: string | null };
  assert.equal(call.ended_at, null, 'the killed call stays open (no end row was ever written)');
  assert.notEqual(call.answered_at, null);
  db.close();
});

test('a process that exits with writes still pending flushes them synchronously at exit', async () => {
  const path = join(tempDir(), 'calls.db');
  const seed = rawDbCreate(path);
  seed.exec('BEGIN IMMEDIATE');
  const child = spawnWriter({ path, writer: 9, turns: 3, busyTimeoutMs: 5, exitAbruptly: true });
  const finished = collect(child);
  const pending = await new Promise<number>((resolve) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /^pending (\d+)$/m.exec(buffer);
      if (match !== null) resolve(Number(match[1]));
    });
  });
  assert.ok(pending >= 5, `writes were still queued at exit: ${pending}`);
  // The exit hook waits up to its busy timeout for the lock; release it meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 100));
  seed.exec('COMMIT');
  const result = await finished;
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /LOST/);
  assert.deepEqual(seed.prepare('SELECT text FROM turns ORDER BY seq').pluck().all(), ['writer 9 turn 1', 'writer 9 turn 2', 'writer 9 turn 3']);
  seed.close();
});

/** An empty, migrated call log plus a raw connection to it. */
function rawDbCreate(path: string): ReturnType<typeof rawDb> {
  openWriter(path, { busyTimeoutMs: 100, synchronous: 'normal' }).close();
  return rawDb(path);
}
