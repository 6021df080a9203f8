/**
 * Scores one run of a case against its ground truth, and pools the scores of a group.
 *
 * - false barge-in: a barge-in before the first real interruption's onset (any barge-in in a case
 *   with none); counted over the cases in which the bot plays.
 * - missed barge-in: no barge-in within 1 s after an interruption's onset.
 * - reaction: barge-in `atMs` minus the onset.
 * - end of turn: the first speech-end at or after the true end of a finished sentence, minus that
 *   end (Infinity when none comes before the case ends).
 * - premature end: a speech-end after the sentence began and before it ended (inside a pause).
 * - turns: speech-start ... speech-end runs (a barge-in opens one when none is open).
 */
import { quantile } from '../stats.ts';
import { type BenchCase, samplesToMs } from './corpus.ts';
import type { CaseRun } from './run-case.ts';

const MISS_AFTER_MS = 1000;

export interface CaseScore {
  /** Undefined when the bot never plays (barge-in is not armed). */
  falseBargeIn: boolean | undefined;
  interruptions: number;
  missed: number;
  reactionsMs: number[];
  endLatenciesMs: number[];
  /** The detector's end cue ('final', 'unfinished', ...) at each of those ends; 'none' when none came. */
  endCues: string[];
  /** Undefined without a finished sentence. */
  premature: boolean | undefined;
  turns: number;
  expectedTurns: number;
}

export function scoreCase(c: BenchCase, run: CaseRun): CaseScore {
  const bargeIns = run.events.filter((event) => event.type === 'barge-in');
  const ends = run.events.filter((event) => event.type === 'speech-end');
  const onsetsMs = c.truth.interruptions.map(samplesToMs);
  const firstOnsetMs = onsetsMs.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...onsetsMs);
  const reactionsMs: number[] = [];
  let missed = 0;
  for (const onsetMs of onsetsMs) {
    const hit = bargeIns.find((event) => event.atMs >= onsetMs && event.atMs <= onsetMs + MISS_AFTER_MS);
    if (hit === undefined) missed += 1;
    else reactionsMs.push(hit.atMs - onsetMs);
  }
  const speechStartMs = c.truth.speech.length === 0 ? 0 : samplesToMs(Math.min(...c.truth.speech.map((s) => s.startSample)));
  const endsMs = c.truth.sentenceEnds.map(samplesToMs);
  let turns = 0;
  let open = false;
  for (const event of run.events) {
    if (event.type === 'speech-end') { if (!open) turns += 1; open = false; }
    else if (!open) { open = true; turns += 1; }
  }
  return {
    falseBargeIn: c.bot.length === 0 ? undefined : bargeIns.some((event) => event.atMs < firstOnsetMs),
    interruptions: onsetsMs.length,
    missed,
    reactionsMs,
    endLatenciesMs: endsMs.map((endMs) => {
      const end = ends.find((event) => event.atMs >= endMs);
      return end === undefined ? Number.POSITIVE_INFINITY : end.atMs - endMs;
    }),
    endCues: endsMs.map((endMs) => {
      const end = ends.find((event) => event.atMs >= endMs);
      return end === undefined ? 'none' : end.reason === 'quiet' ? end.cue : end.reason;
    }),
    premature: endsMs.length === 0 ? undefined : ends.some((event) => event.atMs > speechStartMs && event.atMs < Math.max(...endsMs)),
    turns,
    expectedTurns: c.expect.turns,
  };
}

export interface Rate { count: number; of: number }

export interface GroupMetrics {
  group: string;
  mode: string;
  cases: number;
  audioSeconds: number;
  falseBargeIn: Rate;
  missedBargeIn: Rate;
  reactionMs: { p50: number; p95: number; values: number[] };
  endOfTurnMs: { p50: number; p95: number; max: number; never: number; values: number[] };
  premature: Rate;
  /** How many ends came with each cue. */
  endCues: Record<string, number>;
  turns: { got: number; expected: number; exact: number };
  /** Push CPU as % of one core per second of audio. */
  cpuPercent: number;
  /** Median CPU to create the taker (model load), ms. */
  loadCpuMs: number;
}

/** Quantile that keeps Infinity (a turn that never ended): one that reaches into the never-ended ones is Infinity. */
export function quantileInf(values: readonly number[], q: number): number {
  const finite = values.filter((value) => Number.isFinite(value));
  const result = quantile(values.map((value) => (Number.isFinite(value) ? value : Number.MAX_VALUE)), q);
  return finite.length === values.length || result <= Math.max(...finite) ? result : Number.POSITIVE_INFINITY;
}

export function poolScores(group: string, mode: string, runs: readonly CaseRun[], scores: readonly CaseScore[]): GroupMetrics {
  const rate = (pick: (score: CaseScore) => boolean | undefined): Rate => {
    const applicable = scores.map(pick).filter((value) => value !== undefined);
    return { count: applicable.filter(Boolean).length, of: applicable.length };
  };
  const reactions = scores.flatMap((score) => score.reactionsMs);
  const ends = scores.flatMap((score) => score.endLatenciesMs);
  const audioSeconds = runs.reduce((sum, run) => sum + run.audioSeconds, 0);
  const pushUs = runs.reduce((sum, run) => sum + run.pushCpuUs, 0);
  return {
    group, mode, cases: runs.length, audioSeconds,
    falseBargeIn: rate((score) => score.falseBargeIn),
    missedBargeIn: { count: scores.reduce((sum, s) => sum + s.missed, 0), of: scores.reduce((sum, s) => sum + s.interruptions, 0) },
    reactionMs: { p50: quantile(reactions, 0.5), p95: quantile(reactions, 0.95), values: reactions },
    endOfTurnMs: {
      p50: quantileInf(ends, 0.5), p95: quantileInf(ends, 0.95), max: ends.length === 0 ? Number.NaN : Math.max(...ends),
      never: ends.filter((value) => !Number.isFinite(value)).length, values: ends,
    },
    premature: rate((score) => score.premature),
    endCues: scores.flatMap((score) => score.endCues).reduce<Record<string, number>>((counts, cue) => ({ ...counts, [cue]: (counts[cue] ?? 0) + 1 }), {}),
    turns: {
      got: scores.reduce((sum, s) => sum + s.turns, 0), expected: scores.reduce((sum, s) => sum + s.expectedTurns, 0),
      exact: scores.filter((s) => s.turns === s.expectedTurns).length,
    },
    cpuPercent: audioSeconds === 0 ? Number.NaN : (pushUs / 1e6 / audioSeconds) * 100,
    loadCpuMs: quantile(runs.map((run) => run.loadCpuUs / 1000), 0.5),
  };
}
