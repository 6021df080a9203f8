import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { startFakeOllama, type FakeOllama } from '../simulate/fake-ollama.ts';
import { selfCommand } from '../simulate/simulate.ts';
import { benchCaller } from './bench-caller.ts';
import { benchCallEnv, benchPaths, writeBenchConfig } from './bench-config.ts';
import type { BenchReport } from './bench-report.ts';
import { checkLimit, runCapacity, type LimitCheck, type ProgressEvent } from './capacity-run.ts';
import { benchLevels, CRITERION } from './figures.ts';
import { measureLlm } from './llm-figures.ts';
import { measureStt, measureTts } from './speech-figures.ts';

export interface BenchOptions {
  configPath: string | undefined;
  profile: string | undefined;
  maxCalls: number;
  /** N = 1, 2, 4 only, all three run, with a shorter caller (tests, a first look). */
  quick: boolean;
  env: NodeJS.ProcessEnv;
  /** A stage started (engines) or a level moved on (capacity). */
  progress: (event: ProgressEvent | { kind: 'stage'; text: string }) => void;
  /** This voicebot's version, for the report. */
  version: string;
  /** How to start voicebot; default: this very program (selfCommand). */
  program?: readonly string[];
}

/** Used by the calls when the profile's Ollama is unreachable: a short answer at a small model's pace. */
const FAKE_REPLY = 'We are open from nine to five on Saturday.';
const FAKE_FIRST_TOKEN_MS = 150;
const FAKE_TOKEN_MS = 40;
/** Call starts of a level: at most 4 a second, spread over at least 2 s. */
const START_INTERVAL_MS = 250;
const MIN_START_SPREAD_MS = 2000;
/**
 * The check of a recommendation: twice the limit (at least 2 more) arrive within BURST_MS; up to
 * this many lower limits tried. Under EAGI every refused call still starts a process, so the
 * limit must hold while as many calls as it admits are refused at the same time.
 */
const BURST_MS = 3000;
const BURST_FACTOR = 2;
const LIMIT_TRIES = 4;

/**
 * `voicebot bench`: the profile's engines measured in this process, then N simultaneous simulated
 * calls of this voicebot with rising N. Everything it writes (config, call log, logs, cache,
 * prepared voice) lives in one temp folder, removed at the end, also on Ctrl-C.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const started = performance.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const loaded = loadConfig({ path: options.configPath, env: options.env });
  const config = loaded.resolve(options.profile);
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-bench-'));
  const interrupted = () => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let fake: FakeOllama | undefined;
  try {
    const paths = benchPaths(dir);
    options.progress({ kind: 'stage', text: `speech model ${config.vosk_model_dir}: load and real-time factor` });
    const stt = await measureStt(config);
    options.progress({ kind: 'stage', text: `voice (${config.voice_engine}): load and synthesis` });
    const tts = await measureTts(config, paths.cacheDir);
    options.progress({ kind: 'stage', text: `Ollama ${config.ollama_host} model ${config.ollama_model}: one short chat` });
    const llm = await measureLlm(config);
    let ollamaHost = config.ollama_host;
    let llmLabel = llm.engine;
    if (!llm.reachable) {
      fake = await startFakeOllama({ script: () => ({ content: FAKE_REPLY, firstTokenDelayMs: FAKE_FIRST_TOKEN_MS }), tokenDelayMs: FAKE_TOKEN_MS });
      ollamaHost = fake.host;
      llmLabel = `TEST ENGINE: the built-in fake Ollama (first token ${FAKE_FIRST_TOKEN_MS} ms, ${1000 / FAKE_TOKEN_MS} tokens/s), because ${config.ollama_host} is unreachable`;
    }
    const configPath = writeBenchConfig(config, paths, { ollamaHost });
    const caller = benchCaller(options.quick ? { leadMs: 3000, gapMs: 4500 } : { leadMs: 5000, gapMs: 9000 });
    const runOptions = {
      program: options.program ?? await selfCommand(), configPath, env: benchCallEnv(options.env), paths, caller,
      levels: benchLevels(options.maxCalls, options.quick), startIntervalMs: START_INTERVAL_MS, minStartSpreadMs: MIN_START_SPREAD_MS, stopAtFirstFailure: !options.quick, progress: options.progress,
    };
    const capacity = await runCapacity(runOptions);
    // A level spreads its starts; real calls also arrive in bursts, and each start costs the calls
    // already up. The recommendation stands only if, set as the limit, it holds under a burst.
    const limitChecks: LimitCheck[] = [];
    let recommended = capacity.recommendedMaxConcurrentCalls;
    let why = capacity.why;
    const candidates = capacity.levels.filter((level) => level.passed && level.n <= recommended).map((level) => level.n).reverse();
    for (const [index, limit] of (options.quick ? [] : candidates.slice(0, LIMIT_TRIES)).entries()) {
      const offered = Math.max(limit + 2, Math.ceil(limit * BURST_FACTOR));
      options.progress({ kind: 'stage', text: `max_concurrent_calls = ${limit} under a burst of ${offered} calls in ${BURST_MS / 1000} s` });
      writeBenchConfig(config, paths, { ollamaHost, maxConcurrentCalls: limit });
      const check = await checkLimit(runOptions, limit, offered, BURST_MS, capacity.levels[0]?.latencyP95Ms ?? null);
      limitChecks.push(check);
      if (check.admitted.passed) {
        if (limit < capacity.recommendedMaxConcurrentCalls) why = `${capacity.why}; a limit of ${capacity.recommendedMaxConcurrentCalls} did not hold under a burst, ${limit} did`;
        recommended = limit;
        break;
      }
      // Nothing tried held so far: the next lower level that passed, not checked under a burst (say so).
      recommended = candidates[index + 1] ?? 1;
      why = `max_concurrent_calls = ${limit} did not hold under a burst (${check.admitted.reasons.join('; ')}); `
        + `${recommended} is the next lower level that passed, not checked under a burst: run voicebot bench again with --max-calls ${recommended}`;
    }
    return {
      voicebot: options.version,
      config: loaded.exists ? loaded.file : `${loaded.file} (absent: defaults)`,
      profile: options.profile ?? 'general',
      host: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model.trim() ?? 'unknown', memoryMb: Math.round(totalmem() / 1048576), loadAverage1m: loadAtStart },
      engines: { stt, tts, llm },
      testEngines: stt.testEngine || tts.testEngine || llm.testEngine || !llm.reachable,
      capacity: {
        llm: llmLabel,
        caller: `${caller.questions.length} questions (${caller.speech}), each followed by ${caller.gapMs / 1000} s for the answer`,
        callLengthMs: Math.round(caller.hangupAtMs),
        starts: `N calls start evenly over max(${MIN_START_SPREAD_MS / 1000} s, N x ${START_INTERVAL_MS} ms)`,
        criterion: CRITERION,
        levels: capacity.levels,
        limitChecks,
        recommendedMaxConcurrentCalls: recommended,
        why,
      },
      elapsedMs: Math.round(performance.now() - started),
    };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
