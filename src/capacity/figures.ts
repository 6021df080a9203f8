import { STARTUP_GRACE_MS, type CallFigures } from './call-figures.ts';

/** A level fails when its p95 turn latency is above this many times N=1's p95. */
export const LATENCY_FACTOR = 1.2;
/** A level fails when any call's fd 3 reader fell behind by more than this (ms of caller audio). */
export const FD3_LAG_LIMIT_MS = 200;

export const CRITERION = `a level of N simultaneous calls passes when every call is answered and served (clean exit, no ERROR/*_FAILED status), `
  + `every question gets a reply, its p95 turn latency (end of the caller's speech -> first reply STREAM FILE) is at most ${LATENCY_FACTOR}x the p95 at N=1, `
  + `and fd 3 never fell behind by more than ${FD3_LAG_LIMIT_MS} ms after start-up (no "fd 3 overrun" log line with audioMs > ${FD3_LAG_LIMIT_MS} `
  + `whose backlog began more than ${STARTUP_GRACE_MS / 1000} s after the call was answered, its greeting played and its speech model and detector loaded; no frame dropped by the call's reader `
  + `and no caller audio dropped on a full pipe at any time; the start-up backlog is shown, not judged); `
  + 'N rises until a level fails or --max-calls; the recommendation is the largest N that passed';

/** One row of the capacity table: N calls at once and what they showed. */
export interface LevelFigures {
  n: number;
  passed: boolean;
  /** Why the level failed (empty when it passed). */
  reasons: string[];
  callsNotServed: number;
  turns: number;
  unansweredTurns: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** p95 of this level over p95 at N=1. */
  latencyVsN1: number | null;
  /** The largest fd 3 backlog seen in one read after start-up (ms of caller audio). */
  worstFd3LagMs: number;
  /** The same during start-up: process start, ANSWER, model loads behind the greeting (shown, not judged). */
  worstStartupFd3LagMs: number;
  /** Caller audio dropped on a full fd 3 pipe (ms, all calls). */
  fd3DroppedMs: number;
  readerDroppedFrames: number;
  /** CPU time of a call's process over its lifetime, median and max over the calls (% of one core). */
  cpuPerCallPct: number | null;
  cpuPerCallPctMax: number | null;
  /** Peak resident memory of one call's process, and of all of them at once (MB, from /proc). */
  peakRssPerCallMb: number | null;
  peakRssTotalMb: number | null;
  wallMs: number;
}

export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = sorted[Math.floor(position)] ?? Number.NaN;
  const high = sorted[Math.ceil(position)] ?? Number.NaN;
  return low + (high - low) * (position - Math.floor(position));
}

/**
 * The figures of one level and whether it passed. `baseP95Ms` is N=1's p95 (undefined while N=1
 * itself is judged: its latency is the reference, so only failures and fd 3 can fail it).
 */
export function judgeLevel(
  n: number,
  calls: readonly CallFigures[],
  baseP95Ms: number | null | undefined,
  extra: { wallMs: number; rss: { peakPerCallMb: number; peakTotalMb: number } | undefined },
): LevelFigures {
  const latencies = calls.flatMap((call) => call.latenciesMs.filter((ms): ms is number => ms !== null));
  const turns = calls.reduce((sum, call) => sum + call.latenciesMs.length, 0);
  const unansweredTurns = turns - latencies.length;
  const notServed = calls.filter((call) => !call.served);
  const cpu = calls.flatMap((call) => (call.cpuMs === undefined || call.lifetimeMs <= 0 ? [] : [(call.cpuMs / call.lifetimeMs) * 100]));
  const p95 = quantile(latencies, 0.95);
  const worstFd3LagMs = Math.max(0, ...calls.map((call) => call.maxOverrunMs));
  const fd3DroppedMs = calls.reduce((sum, call) => sum + call.fd3DroppedMs, 0);
  const readerDroppedFrames = calls.reduce((sum, call) => sum + call.readerDroppedFrames, 0);
  const latencyVsN1 = p95 === null || baseP95Ms === undefined || baseP95Ms === null || baseP95Ms <= 0 ? null : p95 / baseP95Ms;

  const reasons: string[] = [];
  if (notServed.length > 0) reasons.push(`${notServed.length} of ${calls.length} calls not served (${notServed[0]?.failures[0] ?? 'unknown'})`);
  if (unansweredTurns > 0) reasons.push(`${unansweredTurns} of ${turns} questions got no reply`);
  if (fd3DroppedMs > 0) reasons.push(`fd 3 pipe full: ${Math.round(fd3DroppedMs)} ms of caller audio dropped (voicebot fell behind)`);
  if (worstFd3LagMs > FD3_LAG_LIMIT_MS) reasons.push(`fd 3 fell behind by ${worstFd3LagMs} ms (limit ${FD3_LAG_LIMIT_MS} ms)`);
  if (readerDroppedFrames > 0) reasons.push(`the calls' fd 3 readers dropped ${readerDroppedFrames} frames (fell behind)`);
  if (latencyVsN1 !== null && latencyVsN1 > LATENCY_FACTOR) {
    reasons.push(`p95 turn latency ${Math.round(p95 ?? 0)} ms is ${latencyVsN1.toFixed(2)}x N=1's ${Math.round(baseP95Ms ?? 0)} ms (limit ${LATENCY_FACTOR}x)`);
  }
  return {
    n, passed: reasons.length === 0, reasons, callsNotServed: notServed.length, turns, unansweredTurns,
    latencyP50Ms: round(quantile(latencies, 0.5)), latencyP95Ms: round(p95), latencyVsN1: latencyVsN1 === null ? null : Math.round(latencyVsN1 * 100) / 100,
    worstFd3LagMs, worstStartupFd3LagMs: Math.max(0, ...calls.map((call) => call.maxStartupOverrunMs)), fd3DroppedMs: Math.round(fd3DroppedMs), readerDroppedFrames,
    cpuPerCallPct: round(quantile(cpu, 0.5), 1), cpuPerCallPctMax: round(cpu.length === 0 ? null : Math.max(...cpu), 1),
    peakRssPerCallMb: round(extra.rss?.peakPerCallMb ?? null), peakRssTotalMb: round(extra.rss?.peakTotalMb ?? null),
    wallMs: Math.round(extra.wallMs),
  };
}

/**
 * 1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64, ... up to `maxCalls` (included); `quick`: 1, 2, 4 only.
 * Steps of 1.5x from 4 on: real models put the knee at a handful of calls, where a power of two
 * would miss it by a third.
 */
export function benchLevels(maxCalls: number, quick: boolean): number[] {
  const levels: number[] = [];
  for (let power = 1; power <= maxCalls; power *= 2) {
    levels.push(power);
    if (power >= 4 && power * 1.5 <= maxCalls) levels.push(power * 1.5);
  }
  if (!quick && levels.at(-1) !== maxCalls && maxCalls >= 1) levels.push(maxCalls);
  const sorted = [...new Set(levels)].sort((a, b) => a - b);
  return quick ? sorted.filter((n) => n <= 4) : sorted;
}

/** The recommendation: the largest N that passed before the first failing level (0: even one call failed). */
export function recommend(levels: readonly LevelFigures[]): { maxConcurrentCalls: number; why: string } {
  const failed = levels.find((level) => !level.passed);
  const passed = levels.filter((level) => level.passed && (failed === undefined || level.n < failed.n));
  const best = passed.at(-1)?.n ?? 0;
  if (failed === undefined) {
    return { maxConcurrentCalls: best, why: `every level up to N=${best} passed; the limit may be higher (raise --max-calls to look further)` };
  }
  if (best === 0) return { maxConcurrentCalls: 0, why: `even one call failed: ${failed.reasons.join('; ')}` };
  return { maxConcurrentCalls: best, why: `N=${failed.n} failed: ${failed.reasons.join('; ')}` };
}

function round(value: number | null, digits = 0): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
