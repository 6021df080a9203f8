/**
 * The serve side of bench/serve.ts: one `voicebot serve` process attached to the fake ARI
 * Asterisk, N calls placed into Stasis. The serve process's memory is read in the middle of the
 * calls, its CPU over the batch, each call's barge-in reaction from the FLUSH_MEDIA the fake saw.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import type { FakeAri, FakeAriCall } from '../src/simulate/ari/fake-ari.ts';
import { FRAME_MS } from '../src/simulate/ari/frame-clock.ts';
import { descendants, procStat } from '../test/faults/support/proc.ts';
import { MISS_AFTER_MS, type Batch } from './serve-eagi.ts';
import { memoryAround, sleep, type BenchCaller, type Memory, type Program } from './serve-setup.ts';

export interface ServeProcess {
  pid: number;
  log(): string;
  /** SIGTERM, then SIGKILL after 20 s; resolves what went wrong (empty: a clean exit 0). */
  stop(): Promise<string[]>;
}

export async function startServeProcess(options: { program: Program; configPath: string; dir: string; logFile: string }): Promise<ServeProcess> {
  const [file, ...args] = options.program.command;
  const child: ChildProcess = spawn(file ?? '', [...args, 'serve', '--config', options.configPath], {
    env: options.program.env(options.dir), stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null }));
  const log = () => `${existsSync(options.logFile) ? readFileSync(options.logFile, 'utf8') : ''}${stderr === '' ? '' : `\n[stderr]\n${stderr}`}`;
  const stop = async (): Promise<string[]> => {
    const children = child.pid === undefined ? [] : descendants(child.pid);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const { code, signal } = await exited;
    clearTimeout(timer);
    const left = children.filter((pid) => procStat(pid) !== undefined && procStat(pid)?.state !== 'Z');
    for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    return [
      ...(code === 0 ? [] : [`serve exited with code ${code} signal ${signal} on SIGTERM`]),
      ...(left.length === 0 ? [] : [`serve left processes behind: ${left.join(', ')}`]),
    ];
  };
  const deadline = Date.now() + 30_000;
  while (!/events connected/.test(log())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`voicebot serve did not connect to the fake ARI\n${log().slice(-3000)}`);
    }
    await sleep(25);
  }
  return { pid: child.pid ?? 0, log, stop };
}

interface PlacedCall {
  call: FakeAriCall;
  /** performance.now() of the 'bridged' event, when it came. */
  bridgedWallMs: number | undefined;
}

/**
 * Places `count` calls (one every `staggerMs`), reads serve's memory mid-call and its CPU over the
 * batch. `warmUp`: the caller hangs up once the bot talks (memory time), nothing is measured.
 */
export async function runAriBatch(options: { fake: FakeAri; serve: ServeProcess; count: number; staggerMs: number; caller: BenchCaller; tag: string; warmUp?: boolean }): Promise<Batch> {
  if (options.warmUp === true) return warmUpCall(options.fake, options.serve, options.caller, options.tag);
  const { fake, serve, caller } = options;
  const logFrom = serve.log().length;
  const cpuBefore = procStat(serve.pid)?.cpuMs;
  const bridged: Promise<number | undefined>[] = [];
  const calls = Array.from({ length: options.count }, (_, index) => {
    const placed = placeAfter(fake, caller, options.staggerMs * index, index);
    bridged.push(placed.then((p) => p.bridgedWallMs));
    return placed.then(async (p) => { await p.call.ended; return p; });
  });
  const memory = readMemoryMidCall(serve.pid, bridged, caller.midMs);
  const placed = await Promise.all(calls);
  const problems = await settle(fake, serve, options.tag);
  const cpuAfter = procStat(serve.pid)?.cpuMs;
  const batch: Batch = { memory: [], cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore, reactionsMs: [], problems };
  const reading = await memory;
  if (typeof reading === 'string') batch.problems.push(`serve ${options.tag}: no memory reading: ${reading}`);
  else batch.memory.push(reading);
  placed.forEach(({ call }, index) => {
    const what = `serve ${options.tag} call ${index}`;
    const end = call.events.find((e) => e.what === 'ended')?.detail;
    if (end !== 'caller-hangup') batch.problems.push(`${what}: ended by ${end ?? 'nothing'}, not by the caller's hangup; events: ${JSON.stringify(call.events.filter((e) => e.what !== 'media-command'))}`);
    const reaction = ariReaction(call, caller.onsetMs);
    if (typeof reaction === 'number') batch.reactionsMs.push(reaction);
    else batch.problems.push(`${what}: barge-in not measured: ${reaction}`);
  });
  batch.problems.push(...logProblems(serve, logFrom, options.tag));
  return batch;
}

/** The serve log's ERROR and WARN lines since `from` (the test engines' own warnings left out). */
function logProblems(serve: ServeProcess, from: number, tag: string): string[] {
  const lines = serve.log().slice(from).split('\n').filter((line) => / (ERROR|WARN) /.test(line) && !/TEST STAND-IN|test-tone/.test(line));
  return lines.map((line) => `serve ${tag} log: ${line}`);
}

async function warmUpCall(fake: FakeAri, serve: ServeProcess, caller: BenchCaller, tag: string): Promise<Batch> {
  const logFrom = serve.log().length;
  const { call } = await placeAfter(fake, { ...caller, hangupAtMs: caller.midMs }, 0, 0);
  await call.ended;
  const problems = [...await settle(fake, serve, tag), ...logProblems(serve, logFrom, tag)];
  const end = call.events.find((e) => e.what === 'ended')?.detail;
  if (end !== 'caller-hangup') problems.push(`serve ${tag}: the warm-up call ended by ${end ?? 'nothing'}\n${serve.log().slice(-2000)}`);
  return { memory: [], cpuMs: undefined, reactionsMs: [], problems };
}

async function placeAfter(fake: FakeAri, caller: BenchCaller, delayMs: number, index: number): Promise<PlacedCall> {
  await sleep(delayMs);
  const placedWallMs = performance.now();
  const call = fake.placeCall({ args: [], callerNumber: `55520${index}`, callerAudio: caller.audio, callerRateHz: 8000, sendSilence: true });
  const deadline = Date.now() + 15_000;
  let event = call.events.find((e) => e.what === 'bridged');
  while (event === undefined && !call.isDone && Date.now() < deadline) {
    await sleep(5);
    event = call.events.find((e) => e.what === 'bridged');
  }
  if (event === undefined) {
    call.hangup();
    return { call, bridgedWallMs: undefined };
  }
  // The caller's audio starts on the bridge: hang up at the same caller-audio time as the EAGI calls.
  setTimeout(() => call.hangup(), placedWallMs + event.atMs + caller.hangupAtMs - performance.now());
  return { call, bridgedWallMs: placedWallMs + event.atMs };
}

async function readMemoryMidCall(pid: number, bridged: Promise<number | undefined>[], midMs: number): Promise<Memory | string> {
  const times = await Promise.all(bridged);
  if (times.some((t) => t === undefined)) return 'a call never reached the bridge';
  return await memoryAround(pid, Math.max(...(times as number[])) + midMs) ?? 'the serve process was gone';
}

/** After the callers hung up: every bridge and media channel deleted (serve's cleanup), or a problem. */
async function settle(fake: FakeAri, serve: ServeProcess, tag: string): Promise<string[]> {
  const leftovers = () => [...fake.bridges().map((b) => String(b['id'])), ...fake.channels().map((c) => String(c['name']))];
  const deadline = Date.now() + 15_000;
  while (leftovers().length > 0 && Date.now() < deadline) await sleep(50);
  await sleep(200); // the call rows are closed after the ARI cleanup
  const left = leftovers();
  return left.length === 0 ? [] : [`serve ${tag}: left on the fake Asterisk 15 s after the hangups: ${left.join(', ')}\n${serve.log().slice(-2000)}`];
}

/**
 * FLUSH_MEDIA time - the onset. The onset is the fake's first 20 ms tick after the bot leg entered
 * the bridge (the ticks run on a fixed schedule from placeCall) plus the interruption's offset.
 */
export function ariReaction(call: FakeAriCall, onsetOffsetMs: number): number | string {
  const bridged = call.events.find((e) => e.what === 'bridged');
  if (bridged === undefined) return 'the call never reached the bridge';
  const onsetMs = Math.ceil(bridged.atMs / FRAME_MS) * FRAME_MS + onsetOffsetMs;
  const flushes = call.events.filter((e) => e.what === 'media-command' && e.detail?.startsWith('FLUSH_MEDIA') === true);
  const early = flushes.find((f) => f.atMs < onsetMs);
  if (early !== undefined) return `FLUSH_MEDIA ${Math.round(onsetMs - early.atMs)} ms before the caller spoke (a false barge-in; ${early.detail})`;
  const flush = flushes.find((f) => f.atMs <= onsetMs + MISS_AFTER_MS);
  if (flush !== undefined) return flush.atMs - onsetMs;
  const heard = call.heard().frames.filter((f) => f.fromChannelId !== call.channelId && f.atMs < onsetMs);
  return `no FLUSH_MEDIA within ${MISS_AFTER_MS} ms of the onset (${flushes.length} flushes in the call; ${heard.length} bot frames heard before the onset)`;
}
