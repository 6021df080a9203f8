import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatSamples, silence } from '../src/audio/pcm.ts';
import { buzz, speak, speechUnavailable } from '../src/simulate/caller-speech.ts';
import { FakeAsteriskCall, type FakeCallResult } from '../src/simulate/fake-asterisk.ts';
import { writeTinyVoskModel } from '../src/simulate/tiny-vosk-model.ts';
import { rawDb } from '../test/store/helpers.ts';
import { mainTs, nodeBin, repoRoot } from '../test/support/paths.ts';
import { childrenWithEnv } from '../test/faults/support/proc.ts';
import { ProcessSampler, type ProcessSamples } from './calls-sample.ts';

export const PROBE = join(repoRoot, 'bench', 'calls-probe.ts');

/** One caller: waits, then asks `questions` with room for the bot's answer after each. */
export interface CallerScript {
  audio: Int16Array;
  /** Call time (ms) at which each utterance ends. */
  utteranceEndsMs: number[];
  lengthMs: number;
  speech: string;
}

export function callerScript(questions: readonly string[], options: { leadMs: number; gapMs: number }): CallerScript {
  const canSpeak = speechUnavailable() === undefined;
  const parts: Int16Array[] = [silence(options.leadMs, 8000)];
  const ends: number[] = [];
  let ms = options.leadMs;
  for (const question of questions) {
    const said = trimSilence(canSpeak ? speak(question, 8000) : buzz(question.length * 70, 8000));
    parts.push(said, silence(options.gapMs, 8000));
    ms += (said.length / 8000) * 1000;
    ends.push(ms);
    ms += options.gapMs;
  }
  return { audio: concatSamples(parts), utteranceEndsMs: ends, lengthMs: ms, speech: canSpeak ? 'espeak-ng speech' : `buzz (${speechUnavailable()})` };
}

/** Cut the leading and trailing quiet (espeak-ng pads its WAVs), so "end of speech" is exact. */
function trimSilence(samples: Int16Array, threshold = 500): Int16Array {
  let first = 0;
  while (first < samples.length && Math.abs(samples[first] ?? 0) < threshold) first++;
  let last = samples.length - 1;
  while (last > first && Math.abs(samples[last] ?? 0) < threshold) last--;
  return samples.slice(first, last + 1);
}

/** What the calls of one run use: a config file shared by all of them (each has its own db row). */
export interface Engines {
  label: string;
  settings: Record<string, string | number>;
}

export function tinyEngines(dir: string): Engines {
  return { label: 'tiny Vosk model + tone voice', settings: { vosk_model_dir: writeTinyVoskModel(join(dir, 'tiny-vosk-model')), voice_engine: 'test-tone' } };
}

export interface CallMeasure {
  index: number;
  result: FakeCallResult;
  samples: ProcessSamples | undefined;
  probe: ProbeLine | undefined;
  /** End of caller speech -> first STREAM FILE of the reply (call ms), per utterance; undefined = no reply. */
  latencyMs: (number | undefined)[];
  /** turns.first_audio_ms of the bot turns (the program's own measure). */
  dbFirstAudioMs: number[];
  overrunsAfterAnswer: number;
  maxOverrunMs: number;
  readerDroppedFrames: number;
  /**
   * The same signs counted only once the call's own start-up is over (detector built and model
   * loaded, from its log): what a burst of other calls' starts does to a call already running.
   */
  running: { fd3LagMs: number[]; overruns: number; maxOverrunMs: number; droppedFrames: number } | undefined;
}

export interface ProbeLine {
  marker: string;
  vmHwmKb: number;
  rssAnonKb: number;
  rssFileKb: number;
  heapUsedKb: number;
  heapTotalKb: number;
  externalKb: number;
  arrayBuffersKb: number;
  cpuMs: number;
  uptimeMs: number;
}

export function readProbe(file: string): ProbeLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ProbeLine);
}

/**
 * Runs `count` simultaneous calls (starts spread over `staggerMs`) of the real voicebot through
 * the fake Asterisk in real time, sampling each process, and measures every turn.
 */
export async function runCalls(options: {
  count: number; caller: CallerScript; engines: Engines; ollamaHost: string; ollamaModel?: string;
  staggerMs: number; extra?: Record<string, string | number>;
  /** Run this executable (e.g. dist/voicebot) instead of the source through Node. */
  binary?: string | undefined;
}): Promise<CallMeasure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-bench-calls-'));
  const settings: Record<string, string | number> = {
    ...options.engines.settings,
    ollama_host: options.ollamaHost,
    ...(options.ollamaModel === undefined ? {} : { ollama_model: options.ollamaModel }),
    db_path: join(dir, 'calls.db'),
    log_file: join(dir, 'voicebot.log'),
    cache_dir: join(dir, 'cache'),
    greeting: 'Hello, how can I help you?',
    mirror_verbose: 'no',
    ...options.extra,
  };
  const configPath = join(dir, 'voicebot.conf');
  writeFileSync(configPath, `[general]\n${Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
  const probeOut = join(dir, 'probe.jsonl');
  const hangupAtMs = options.caller.lengthMs + 500;
  const runs = Array.from({ length: options.count }, async (_, index) => {
    await new Promise((resolve) => setTimeout(resolve, options.count === 1 ? 0 : (options.staggerMs * index) / options.count));
    const marker = `${dir}#${index}`;
    const logFile = join(dir, `voicebot-${index}.log`);
    const call = await FakeAsteriskCall.start({
      command: options.binary === undefined ? [nodeBin, mainTs] : [options.binary],
      env: {
        PATH: process.env['PATH'], HOME: process.env['HOME'], VOICEBOT_CONFIG: configPath, VOICEBOT_LOG_FILE: logFile,
        VOICEBOT_LOG_STDERR: 'no', NODE_OPTIONS: `--import=${PROBE}`, VOICEBOT_BENCH_PROBE_OUT: probeOut, VOICEBOT_BENCH_MARKER: marker,
      },
      callerAudio: options.caller.audio, callerRateHz: 8000, callerIdNum: `55500${index}`,
      events: [{ action: 'hangup', atMs: hangupAtMs }], killAfterMs: hangupAtMs + 60_000,
    });
    let sampler: ProcessSampler | undefined;
    const find = setInterval(() => {
      const pid = childrenWithEnv(process.pid, 'VOICEBOT_BENCH_MARKER', marker)[0];
      if (pid !== undefined) {
        clearInterval(find);
        sampler = new ProcessSampler(pid);
      }
    }, 10);
    const result = await call.finished;
    clearInterval(find);
    sampler?.stop();
    return { index, result, samples: sampler?.result, logFile, marker };
  });
  const done = await Promise.all(runs);
  const probes = readProbe(probeOut);
  const db = rawDb(join(dir, 'calls.db'), { readonly: true });
  const firstAudio = db.prepare("SELECT c.caller_number AS caller, t.first_audio_ms AS ms FROM turns t JOIN calls c ON c.id = t.call_id WHERE t.role = 'bot' AND t.first_audio_ms IS NOT NULL").all() as { caller: string; ms: number }[];
  db.close();
  return done.map(({ index, result, samples, logFile, marker }) => {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    const answeredAt = log.indexOf('answered');
    const overruns = [...log.slice(Math.max(0, answeredAt)).matchAll(/fd 3 overrun.* audioMs=(\d+)/g)].map((m) => Number(m[1]));
    const done = /process done .*fd3Dropped=(\d+)/.exec(log);
    const runningFromMs = startupDoneAtMs(log);
    return {
      index, result, samples, probe: probes.find((p) => p.marker === marker),
      latencyMs: replyLatencies(result, options.caller.utteranceEndsMs),
      dbFirstAudioMs: firstAudio.filter((row) => row.caller === `55500${index}`).map((row) => row.ms),
      overrunsAfterAnswer: overruns.length, maxOverrunMs: Math.max(0, ...overruns),
      readerDroppedFrames: Number(done?.[1] ?? 0),
      running: runningFromMs === undefined ? undefined : runningSigns(log, runningFromMs, samples, result),
    };
  });
}

/** Wall-clock time the call's start-up loads were done: detector built and speech model loaded. */
function startupDoneAtMs(log: string): number | undefined {
  const at = (pattern: RegExp) => {
    const line = log.split('\n').find((l) => pattern.test(l));
    return line === undefined ? undefined : Date.parse(line.slice(0, line.indexOf(' ')));
  };
  const detector = at(/\[STT\] \S+ speech detector ready/);
  const model = at(/\[STT\] \S+ model loaded/);
  return detector === undefined || model === undefined ? undefined : Math.max(detector, model);
}

function runningSigns(log: string, fromMs: number, samples: ProcessSamples | undefined, result: FakeCallResult): CallMeasure['running'] {
  const overruns = [...log.matchAll(/^(\S+) WARN \[AGI\] fd 3 overrun.* audioMs=(\d+)/gm)]
    .filter((m) => Date.parse(m[1] ?? '') > fromMs).map((m) => Number(m[2]));
  const lag = samples === undefined ? [] : samples.fd3LagMs.filter((_, i) => (samples.fd3LagAtMs[i] ?? 0) > fromMs);
  return {
    fd3LagMs: lag, overruns: overruns.length, maxOverrunMs: Math.max(0, ...overruns),
    droppedFrames: result.fd3DroppedAtMs.filter((t) => t > fromMs).length,
  };
}

/** For each utterance end, the first reply STREAM FILE after it (before the next utterance ends). */
function replyLatencies(result: FakeCallResult, ends: readonly number[]): (number | undefined)[] {
  const replies = result.commands.filter((r) => /^STREAM FILE \S+\/calls\//.test(r.cmd)).map((r) => r.t_ms);
  return ends.map((end, i) => {
    const next = ends[i + 1] ?? Infinity;
    const first = replies.find((t) => t > end && t < next);
    return first === undefined ? undefined : first - end;
  });
}
