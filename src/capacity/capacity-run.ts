import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeAsteriskCall } from '../simulate/fake-asterisk.ts';
import type { BenchCaller } from './bench-caller.ts';
import type { BenchPaths } from './bench-config.ts';
import { callFigures, type CallFigures } from './call-figures.ts';
import { judgeLevel, recommend, type LevelFigures } from './figures.ts';
import { RssSampler } from './rss-sampler.ts';

export interface CapacityOptions {
  /** How to start voicebot (selfCommand()). */
  program: readonly string[];
  configPath: string;
  /** The calls' environment, already stripped of config overrides (benchCallEnv). */
  env: NodeJS.ProcessEnv;
  paths: BenchPaths;
  caller: BenchCaller;
  levels: readonly number[];
  /**
   * The N call starts are spread evenly over max(minStartSpreadMs, N x startIntervalMs): calls do
   * not ring in the same millisecond, and a level measures calls in progress, not a burst of starts.
   */
  startIntervalMs: number;
  minStartSpreadMs: number;
  /** Stop at the first failing level (default); false runs every level (a fixed quick look). */
  stopAtFirstFailure?: boolean;
  /** Told when a level starts, ticks and ends (stderr progress). */
  progress: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { kind: 'level-start'; n: number; expectedMs: number }
  | { kind: 'level-tick'; n: number; elapsedMs: number; expectedMs: number; callsDone: number }
  | { kind: 'level-done'; level: LevelFigures };

export interface CapacityResult {
  levels: LevelFigures[];
  recommendedMaxConcurrentCalls: number;
  /** Why the search stopped where it did. */
  why: string;
}

/**
 * N simultaneous calls of voicebot itself through the fake Asterisk, in real time, N rising
 * through `levels` until a level fails (the recommendation stops there in any case). Each call runs the temp config; its log goes to its own
 * file in the temp folder so its "process done" and fd 3 lines can be read.
 */
export async function runCapacity(options: CapacityOptions): Promise<CapacityResult> {
  const levels: LevelFigures[] = [];
  let baseP95Ms: number | null | undefined;
  for (const n of options.levels) {
    const level = await runLevel(options, n, baseP95Ms);
    levels.push(level);
    options.progress({ kind: 'level-done', level });
    if (n === 1) baseP95Ms = level.latencyP95Ms;
    if (!level.passed && options.stopAtFirstFailure !== false) break;
  }
  const { maxConcurrentCalls, why } = recommend(levels);
  return { levels, recommendedMaxConcurrentCalls: maxConcurrentCalls, why };
}

/** A recommended limit tried under a burst: `offered` calls within `burstMs`, the admitted ones judged. */
export interface LimitCheck {
  limit: number;
  offered: number;
  burstMs: number;
  busy: number;
  /** The admitted calls judged as one level (N = how many were admitted). */
  admitted: LevelFigures;
}

/**
 * More calls than `limit` arrive within `burstMs` with max_concurrent_calls = limit in
 * `options.configPath`: the calls over it must get BUSY and the admitted ones must still pass.
 */
export async function checkLimit(options: CapacityOptions, limit: number, offered: number, burstMs: number, baseP95Ms: number | null): Promise<LimitCheck> {
  const started = performance.now();
  const sampler = new RssSampler();
  const calls = await startCalls(options, offered, burstMs, `limit${limit}-`, sampler).finally(() => sampler.stop());
  const admittedCalls = calls.filter((call) => !call.busy);
  const admitted = judgeLevel(admittedCalls.length, admittedCalls, baseP95Ms, { wallMs: performance.now() - started, rss: undefined });
  if (admittedCalls.length > limit) {
    admitted.passed = false;
    admitted.reasons.push(`${admittedCalls.length} calls were admitted with max_concurrent_calls = ${limit}`);
  }
  return { limit, offered, burstMs, busy: calls.length - admittedCalls.length, admitted };
}

/** `count` calls whose starts are spread evenly over `spreadMs`; `onDone` after each one ends. */
function startCalls(options: CapacityOptions, count: number, spreadMs: number, label: string, sampler: RssSampler, onDone?: () => void): Promise<CallFigures[]> {
  return Promise.all(Array.from({ length: count }, async (_, index) => {
    await new Promise((resolve) => setTimeout(resolve, (spreadMs * index) / count));
    const figures = await runCall(options, `${label}${count}`, index, sampler);
    onDone?.();
    return figures;
  }));
}

async function runLevel(options: CapacityOptions, n: number, baseP95Ms: number | null | undefined): Promise<LevelFigures> {
  const spreadMs = n === 1 ? 0 : Math.max(options.minStartSpreadMs, n * options.startIntervalMs);
  const expectedMs = spreadMs + options.caller.hangupAtMs + 1000;
  options.progress({ kind: 'level-start', n, expectedMs });
  const sampler = new RssSampler();
  const started = performance.now();
  let callsDone = 0;
  const ticker = setInterval(() => options.progress({ kind: 'level-tick', n, elapsedMs: performance.now() - started, expectedMs, callsDone }), 1000);
  try {
    const calls = await startCalls(options, n, spreadMs, '', sampler, () => { callsDone += 1; });
    sampler.sample();
    return judgeLevel(n, calls, n === 1 ? undefined : baseP95Ms, { wallMs: performance.now() - started, rss: sampler.stop() });
  } finally {
    clearInterval(ticker);
    sampler.stop();
  }
}

async function runCall(options: CapacityOptions, label: string, index: number, sampler: RssSampler): Promise<CallFigures> {
  const { caller } = options;
  const logFile = join(options.paths.callLogDir, `n${label}-call${index + 1}.log`);
  const call = await FakeAsteriskCall.start({
    command: options.program,
    env: { ...options.env, VOICEBOT_CONFIG: options.configPath, VOICEBOT_LOG_FILE: logFile, VOICEBOT_LOG_STDERR: 'no' },
    callerAudio: caller.audio,
    callerRateHz: 8000,
    callerIdNum: `555${label.replace(/\D/g, '').padStart(3, '0')}${String(index + 1).padStart(3, '0')}`,
    callerIdName: 'voicebot bench',
    events: [{ action: 'hangup', atMs: caller.hangupAtMs }],
    killAfterMs: caller.hangupAtMs + 60_000,
    onRecord: (entry) => {
      if (entry.type === 'event' && entry.event.kind === 'spawned') sampler.add(Number(entry.event['pid']));
    },
  });
  const result = await call.finished;
  const logText = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  return callFigures(result, logText, caller.utteranceEndsMs);
}
