/**
 * EAGI (one process per call) against `voicebot serve` (one process for every call, over ARI),
 * side by side in one run: same engines, same caller audio, same fake Ollama, same machine.
 *
 * 1. Memory per additional call. EAGI: each call process's private (RssAnon) and resident (VmRSS)
 *    memory from /proc/<pid>/status in the middle of its call (model loaded, bot talking), median
 *    over the processes. serve: the serve process in the middle of 1 call (after a warm-up call)
 *    and of N simultaneous calls; per additional call = (value(N) - value(1)) / (N - 1).
 * 2. CPU per call. EAGI: the processes' `process done ... cpuMs=` / N; serve: the serve process's
 *    utime + stime over the N-call batch / N.
 * 3. Barge-in reaction: the caller (espeak-ng speech, Silero detector) cuts into a long reply.
 *    EAGI: the interrupted playback's stop time - the onset; serve: the FLUSH_MEDIA the fake ARI
 *    saw - the onset (the fake's first 20 ms tick after the bridge + the offset in the audio).
 * For the test engines and for the stand-in holding a Vosk small model's memory (test_model_rss_mb
 * = 300: each EAGI process holds it, serve once).
 *
 *   npx node bench/serve.ts --binary dist/voicebot    # the built executable (`make build` first)
 *   npx node bench/serve.ts                           # the source through Node
 *   npx node bench/serve.ts --calls 8 --runs 5 --stagger-ms 300
 *   npx node bench/serve.ts --binary dist/voicebot --runs 1 --keep   # keeps the temp folder (configs, logs) and names it
 *
 * About 5 minutes on 2 cores with the defaults (N = 4, 3 runs). Fakes: src/simulate/fake-asterisk.ts
 * (EAGI), src/simulate/ari/fake-ari.ts (ARI), src/simulate/fake-ollama.ts. Nothing is written
 * outside a temp folder, which is removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeAri } from '../src/simulate/ari/fake-ari.ts';
import { startFakeOllama } from '../src/simulate/fake-ollama.ts';
import { runAriBatch, startServeProcess } from './serve-ari.ts';
import { eagiWarmUp, runEagiBatch, type Batch } from './serve-eagi.ts';
import { bargeInTable, cpuTable, memoryTable, problemList, type SetupResult } from './serve-report.ts';
import { benchCaller, binaryProblem, LONG_REPLY, program, setups, writeConfig, type BenchCaller, type Program, type Setup } from './serve-setup.ts';

const arg = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
};
const calls = Number(arg('--calls') ?? 4);
const runs = Number(arg('--runs') ?? 3);
const staggerMs = Number(arg('--stagger-ms') ?? 300);
const binaryArg = arg('--binary');
const binary = binaryArg === undefined ? undefined : resolve(binaryArg);
/** `--keep`: leave the temp folder (configs, logs, call logs) for a look afterwards. */
const keep = process.argv.includes('--keep');
const ARI = { username: 'voicebot', password: 'bench-serve-pw-4711' };
const FIRST_TOKEN_MS = 150;
const TOKEN_MS = 20;

interface Context { dir: string; caller: BenchCaller; program: Program; ollamaHost: string }

const progress = (text: string): void => { process.stderr.write(`\r${text.padEnd(78)}`); };

/** One run of one setup on the serve side: a fresh serve process, a warm-up call, 1 call, N calls. */
async function serveRun(ctx: Context, setup: Setup, run: number): Promise<{ one: Batch; many: Batch; problems: string[] }> {
  const name = `serve-${setup.name}-${run}`;
  const fake = await startFakeAri({ ...ARI, mediaConnectTimeoutMs: 5000, shutdownSocketEndMs: 300 });
  const configPath = writeConfig(ctx.dir, name, {
    ...setup.settings, ollama_host: ctx.ollamaHost, ari_url: fake.url, ari_username: ARI.username, ari_password: ARI.password,
    serve_health_interval_seconds: 0,
  });
  const serve = await startServeProcess({ program: ctx.program, configPath, dir: ctx.dir, logFile: join(ctx.dir, `${name}.log`) });
  try {
    const batch = (count: number, tag: string) => runAriBatch({ fake, serve, count, staggerMs, caller: ctx.caller, tag: `${setup.name} run ${run} ${tag}`, warmUp: tag === 'warm-up' });
    progress(`${setup.name} run ${run}/${runs}: serve, warm-up call`);
    const warm = await batch(1, 'warm-up');
    progress(`${setup.name} run ${run}/${runs}: serve, 1 call`);
    const one = await batch(1, '1 call');
    progress(`${setup.name} run ${run}/${runs}: serve, ${calls} calls`);
    const many = await batch(calls, `${calls} calls`);
    const stopped = await serve.stop();
    return { one, many, problems: [...warm.problems, ...stopped.map((p) => `run ${run}: ${p}\n${serve.log().slice(-1500)}`)] };
  } finally {
    await serve.stop();
    await fake.close();
  }
}

async function runSetup(ctx: Context, setup: Setup): Promise<SetupResult> {
  const result: SetupResult = { setup, eagi: [], serveOne: [], serveMany: [], problems: [] };
  const eagiConfig = writeConfig(ctx.dir, `eagi-${setup.name}`, { ...setup.settings, ollama_host: ctx.ollamaHost });
  progress(`${setup.name}: EAGI warm-up call`);
  result.problems.push(...await eagiWarmUp({ caller: ctx.caller, configPath: eagiConfig, dir: ctx.dir, program: ctx.program }));
  for (let run = 1; run <= runs; run += 1) {
    progress(`${setup.name} run ${run}/${runs}: EAGI, ${calls} calls`);
    result.eagi.push(await runEagiBatch({ count: calls, staggerMs, caller: ctx.caller, configPath: eagiConfig, dir: ctx.dir, program: ctx.program, tag: `${setup.name}-${run}` }));
    try {
      const serve = await serveRun(ctx, setup, run);
      result.serveOne.push(serve.one);
      result.serveMany.push(serve.many);
      result.problems.push(...serve.problems);
    } catch (error) {
      result.problems.push(`serve run ${run}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return result;
}

function printConfig(ctx: Context, list: readonly Setup[], notes: readonly string[]): void {
  console.log(`# bench/serve: EAGI (one process per call) vs voicebot serve (ARI), ${new Date().toISOString()}\n`);
  console.log(`- program: ${ctx.program.label}; Node ${process.version} (bench)`);
  console.log(`- N = ${calls} simultaneous calls (starts ${staggerMs} ms apart), ${runs} runs per engine setup, after one EAGI warm-up call (natives extracted, greeting cached); each run: ${calls} EAGI calls, then a fresh serve process: 1 warm-up call, 1 call, ${calls} calls`);
  console.log(`- engines: ${list.map((s) => `**${s.name}** = ${s.label}`).join('; ')}; vad = silero (the default)`);
  console.log(`- caller: ${ctx.caller.speech}: a question, then an interruption at ${Math.round(ctx.caller.onsetMs)} ms of caller audio, into the bot's long reply; hangup at ${Math.round(ctx.caller.hangupAtMs)} ms; memory read at ${Math.round(ctx.caller.midMs)} ms`);
  console.log(`- fake Ollama: first token ${FIRST_TOKEN_MS} ms, a token every ${TOKEN_MS} ms, reply of ${LONG_REPLY.length} characters; fake Asterisk (EAGI) and fake ARI Asterisk 22 in this process`);
  console.log('- audio: each transport\'s default: EAGI slin 8 kHz on fd 3, serve ari_media_format = slin16 (the 8 kHz caller resampled by the fake; Silero runs at 16 kHz there)');
  for (const note of notes) console.log(`- note: ${note}`);
  console.log('');
}

function printTables(results: readonly SetupResult[]): void {
  console.log('## Memory per additional call (MB)\n');
  console.log(memoryTable(results, calls));
  console.log('\nEAGI: every call is a whole process, so an additional call costs one process. serve: the growth of the one serve process from 1 to N calls, per call added.\n');
  console.log('## CPU per call\n');
  console.log(cpuTable(results, calls));
  console.log('\nEAGI: each process\'s own CPU from its start to its exit (process start, engines load, the call). serve: the serve process\'s CPU from the first call placed to the cleanup after the last one; its start and the warm-up call are not counted.\n');
  console.log('## Barge-in reaction: caller speech onset -> the bot\'s audio taken back (ms)\n');
  console.log(bargeInTable(results, calls, runs));
  console.log(`\nOver the calls of the ${calls}-call batches of all runs. EAGI: the fake Asterisk stops the playback when voicebot's next command arrives. serve: when FLUSH_MEDIA reaches the fake; the onset is the first 20 ms tick after the bridge (the ticks keep a fixed schedule) + the offset in the caller audio. Both include the detector's barge_in_min_ms (120 ms by default). Both fakes hand voicebot a 20 ms frame at the start of its 20 ms, where a real line delivers it at the end: on a real line both figures are up to 20 ms longer (which is why one can read below barge_in_min_ms here).\n`);
  console.log(problemList(results));
  console.log(`\nReproduce: \`${binary === undefined ? 'npx node bench/serve.ts' : `make build && npx node bench/serve.ts --binary ${binaryArg}`}${calls === 4 ? '' : ` --calls ${calls}`}${runs === 3 ? '' : ` --runs ${runs}`}\` (needs espeak-ng for the caller's speech).`);
}

async function main(): Promise<void> {
  if (!(calls >= 1) || !(runs >= 1)) throw new Error('--calls and --runs take a number >= 1');
  const notes: string[] = [];
  if (binary !== undefined) {
    const problem = binaryProblem(binary);
    if (problem?.fatal === true) {
      process.stderr.write(`${problem.text}\n`);
      process.exit(1);
    }
    if (problem !== undefined) notes.push(problem.text);
  }
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-bench-serve-'));
  const ollama = await startFakeOllama({ script: () => ({ content: LONG_REPLY, firstTokenDelayMs: FIRST_TOKEN_MS }), tokenDelayMs: TOKEN_MS });
  try {
    const ctx: Context = { dir, caller: benchCaller(), program: program(binary), ollamaHost: ollama.host };
    if (ctx.caller.speech !== 'espeak-ng speech') notes.push(`the caller is not speech (${ctx.caller.speech}): Silero may not hear it, barge-in figures are not meaningful`);
    const list = setups(dir);
    const started = performance.now();
    const results: SetupResult[] = [];
    for (const setup of list) results.push(await runSetup(ctx, setup));
    process.stderr.write(`\rdone in ${((performance.now() - started) / 1000).toFixed(0)} s`.padEnd(79) + '\n');
    printConfig(ctx, list, notes);
    printTables(results);
  } finally {
    await ollama.close();
    if (keep) process.stderr.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
