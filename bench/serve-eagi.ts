/**
 * The EAGI side of bench/serve.ts: N calls, each its own voicebot process started by the fake
 * Asterisk (real pipes, fd 3 in real time). Each process's memory is read in the middle of its
 * call, its CPU from its `process done ... cpuMs=` line, its barge-in reaction from the playback
 * the interruption stopped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeAsteriskCall, type FakeCallResult } from '../src/simulate/fake-asterisk.ts';
import { procStat } from '../test/faults/support/proc.ts';
import { memoryAround, sleep, type BenchCaller, type Memory, type Program } from './serve-setup.ts';

/** What one batch of calls gave, on either transport. */
export interface Batch {
  /** EAGI: one reading per call process; serve: one reading of the serve process. */
  memory: Memory[];
  /** CPU of the batch (user + system), summed over the calls. */
  cpuMs: number | undefined;
  /** Caller speech onset -> the bot's audio taken back, one per call where it could be measured. */
  reactionsMs: number[];
  /** Calls or readings that went wrong, with the evidence. */
  problems: string[];
}

/** A reaction later than this after the onset is counted as a missed barge-in. */
export const MISS_AFTER_MS = 2000;

interface EagiCall {
  index: number;
  result: FakeCallResult;
  memory: Memory | undefined;
  lastCpuMs: number | undefined;
  log: string;
}

export async function runEagiBatch(options: {
  count: number; staggerMs: number; caller: BenchCaller; configPath: string; dir: string; program: Program; tag: string;
}): Promise<Batch> {
  const calls = await Promise.all(Array.from({ length: options.count }, (_, index) => eagiCall(options, index)));
  const batch: Batch = { memory: [], cpuMs: 0, reactionsMs: [], problems: [] };
  for (const call of calls) {
    const what = `EAGI ${options.tag} call ${call.index}`;
    if (call.result.exitCode !== 0 || call.result.killed) batch.problems.push(`${what}: exit ${call.result.exitCode} killed=${call.result.killed}; stderr: ${call.result.stderr.slice(-300)}`);
    if (call.result.leftoverPids.length > 0) batch.problems.push(`${what}: processes left after exit (killed): ${call.result.leftoverPids.join(', ')}`);
    if (call.memory === undefined) batch.problems.push(`${what}: no memory reading (the process was gone at mid-call)`);
    else batch.memory.push(call.memory);
    const logged = /process done .*cpuMs=(\d+)/.exec(call.log)?.[1];
    const cpu = logged === undefined ? call.lastCpuMs : Number(logged);
    if (logged === undefined) batch.problems.push(`${what}: no "process done" line; CPU from the last /proc sample (${call.lastCpuMs ?? 'none'} ms)`);
    batch.cpuMs = cpu === undefined || batch.cpuMs === undefined ? undefined : batch.cpuMs + cpu;
    const reaction = eagiReaction(call.result, options.caller.onsetMs);
    if (typeof reaction === 'number') batch.reactionsMs.push(reaction);
    else batch.problems.push(`${what}: barge-in not measured: ${reaction}`);
  }
  return batch;
}

/**
 * One EAGI call before anything is measured (hung up once the bot talks): the binary's native
 * libraries are extracted and the greeting is in the phrase cache, as on a box that has taken a
 * call before (serve's warm-up call does the same for serve). Returns what went wrong.
 */
export async function eagiWarmUp(options: { caller: BenchCaller; configPath: string; dir: string; program: Program }): Promise<string[]> {
  const call = await eagiCall({ ...options, staggerMs: 0, caller: { ...options.caller, hangupAtMs: options.caller.midMs }, tag: 'warm-up' }, 0);
  const result = call.result;
  return result.exitCode === 0 && !result.killed ? [] : [`EAGI warm-up call: exit ${result.exitCode} killed=${result.killed}; stderr: ${result.stderr.slice(-300)}; log: ${call.log.slice(-1000)}`];
}

async function eagiCall(options: { staggerMs: number; caller: BenchCaller; configPath: string; dir: string; program: Program; tag: string }, index: number): Promise<EagiCall> {
  await sleep(options.staggerMs * index);
  const logFile = join(options.dir, `eagi-${options.tag}-${index}.log`);
  const { caller } = options;
  let pid: number | undefined;
  const call = await FakeAsteriskCall.start({
    command: options.program.command,
    env: { ...options.program.env(options.dir), VOICEBOT_CONFIG: options.configPath, VOICEBOT_LOG_FILE: logFile },
    callerAudio: caller.audio, callerRateHz: 8000, callerIdNum: `55510${index}`,
    events: [{ action: 'hangup', atMs: caller.hangupAtMs }], killAfterMs: caller.hangupAtMs + 30_000,
    onRecord: (entry) => {
      if (entry.type === 'event' && entry.event.kind === 'spawned') pid = Number(entry.event['pid']);
    },
  });
  let lastCpuMs: number | undefined;
  const cpuTimer = setInterval(() => { lastCpuMs = pid === undefined ? lastCpuMs : procStat(pid)?.cpuMs ?? lastCpuMs; }, 100);
  const reading = pid === undefined ? Promise.resolve(undefined) : memoryAround(pid, performance.now() + caller.midMs - call.nowMs());
  const result = await call.finished;
  clearInterval(cpuTimer);
  const memory = await reading;
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  return { index, result, memory, lastCpuMs, log };
}

/**
 * The playback the interruption stopped: its stop time (start + played samples) - the onset.
 * A string says why there is no number (no interrupted playback, or one stopped before the onset).
 */
export function eagiReaction(result: FakeCallResult, onsetMs: number): number | string {
  const replies = result.playbacks.filter((p) => p.file.includes('/calls/'));
  const stops = replies.filter((p) => p.how === 'interrupted').map((p) => p.startMs + (p.samples.length / p.sampleRateHz) * 1000);
  const early = stops.find((stop) => stop < onsetMs);
  if (early !== undefined) return `a reply was stopped ${Math.round(onsetMs - early)} ms before the caller spoke (a false barge-in)`;
  const stop = stops.find((s) => s <= onsetMs + MISS_AFTER_MS);
  if (stop !== undefined) return stop - onsetMs;
  const playing = replies.some((p) => p.startMs <= onsetMs && p.startMs + (p.samples.length / p.sampleRateHz) * 1000 >= onsetMs);
  return playing ? `missed: the reply went on for ${MISS_AFTER_MS} ms after the onset` : `no reply was playing at the onset (${Math.round(onsetMs)} ms; replies at ${replies.map((p) => Math.round(p.startMs)).join(', ') || 'none'})`;
}
