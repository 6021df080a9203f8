import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BenchCase } from '../../bench/turn-taking/corpus.ts';
import { poolScores, quantileInf, scoreCase } from '../../bench/turn-taking/metrics.ts';
import type { CaseRun } from '../../bench/turn-taking/run-case.ts';
import type { TurnEvent } from '../../src/vad/turn-taker.ts';

const ms = (value: number) => value * 8;

/** A bot reply from 0.5 s; the caller interrupts at 2 s and speaks until 4 s, with a pause at 3-3.8 s. */
function interrupted(): BenchCase {
  return {
    id: 'x#0', group: 'x', detail: '', base: new Int16Array(ms(7000)),
    bot: [{ startSample: ms(500), samples: new Int16Array(ms(4000)) }],
    truth: {
      speech: [{ startSample: ms(2000), endSample: ms(3000), turn: 0 }, { startSample: ms(3800), endSample: ms(4000), turn: 0 }],
      sentenceEnds: [ms(4000)], interruptions: [ms(2000)], pauses: [{ startSample: ms(3000), endSample: ms(3800) }],
    },
    expect: { bargeIn: true, turns: 1 },
  };
}

function run(events: TurnEvent[]): CaseRun {
  return { id: 'x#0', group: 'x', mode: 'silero+echo', events, stoppedAtSample: undefined, loadCpuUs: 1000, pushCpuUs: 70_000, audioSeconds: 7 };
}

const end = (atMs: number): TurnEvent => ({ type: 'speech-end', atMs, speechStartMs: 2000, speechEndMs: atMs - 500, reason: 'quiet', cue: 'final', bargedIn: true });

test('scoreCase: a timely barge-in, one turn, its end latency', () => {
  const score = scoreCase(interrupted(), run([
    { type: 'barge-in', atMs: 2240, speechStartMs: 2000 }, { type: 'speech-start', atMs: 2240, speechStartMs: 2000 }, end(4600),
  ]));
  assert.deepEqual(
    { ...score, endLatenciesMs: score.endLatenciesMs.map(Math.round) },
    { falseBargeIn: false, interruptions: 1, missed: 0, reactionsMs: [240], endLatenciesMs: [600], endCues: ['final'], premature: false, turns: 1, expectedTurns: 1 },
  );
});

test('scoreCase: a barge-in before the caller speaks is false and the interruption counts as missed; an end in the pause is premature', () => {
  const score = scoreCase(interrupted(), run([
    { type: 'barge-in', atMs: 900, speechStartMs: 600 }, { type: 'speech-start', atMs: 2200, speechStartMs: 2000 }, end(3500),
    { type: 'speech-start', atMs: 4000, speechStartMs: 3800 },
  ]));
  assert.equal(score.falseBargeIn, true);
  assert.equal(score.missed, 1);
  assert.equal(score.premature, true);
  assert.equal(score.turns, 2);
  assert.deepEqual(score.endLatenciesMs, [Number.POSITIVE_INFINITY]);
  assert.deepEqual(score.endCues, ['none']);
});

test('scoreCase: a barge-in more than 1 s after the onset is missed', () => {
  const score = scoreCase(interrupted(), run([{ type: 'barge-in', atMs: 3100, speechStartMs: 2000 }, end(4500)]));
  assert.equal(score.falseBargeIn, false);
  assert.equal(score.missed, 1);
  assert.deepEqual(score.reactionsMs, []);
});

test('poolScores: rates over applicable cases, CPU as % of a core; quantiles that reach a never-ended turn are never', () => {
  const c = interrupted();
  const runs = [run([{ type: 'barge-in', atMs: 2200, speechStartMs: 2000 }, end(4500)]), run([])];
  const pooled = poolScores('x', 'silero+echo', runs, runs.map((r) => scoreCase(c, r)));
  assert.deepEqual(pooled.missedBargeIn, { count: 1, of: 2 });
  assert.deepEqual(pooled.falseBargeIn, { count: 0, of: 2 });
  assert.equal(pooled.cpuPercent, 1);
  assert.equal(pooled.endOfTurnMs.never, 1);
  assert.equal(pooled.endOfTurnMs.p95, Number.POSITIVE_INFINITY);
  assert.equal(quantileInf([100, 200, 300], 0.5), 200);
  assert.equal(quantileInf([100, Number.POSITIVE_INFINITY], 0.95), Number.POSITIVE_INFINITY);
});
