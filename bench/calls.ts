/**
 * N simultaneous calls on one box: real voicebot processes through the fake Asterisk in real time
 * (real pipes, 20 ms fd 3 frames), the tiny Vosk model and the tone voice, one fake Ollama with
 * realistic pacing. Per level: per-call memory and CPU, fd 3 backlog (FIONREAD on the pipe),
 * reader overruns/drops, caller-perceived turn latency (end of speech -> first STREAM FILE) and
 * the program's own first_audio_ms. "Running calls" counts the backlog, overruns and dropped
 * frames of each call only after its own start-up loads are done (its log), i.e. what other
 * calls' starts do to a call already talking. Then what one call's memory is made of.
 *
 *   npx node bench/calls.ts                      # N = 1,2,4,8,16 (~4 min on 2 cores)
 *   npx node bench/calls.ts --levels 1,8,16,24,32
 *   npx node bench/calls.ts --quick              # N = 1,4 (one minute)
 *   npx node bench/calls.ts --levels 32 --max-calls 12 --no-memory   # 32 offered in 3 s, 12 admitted, the rest BUSY
 *   npx node bench/calls.ts --levels 32 --binary dist/voicebot    # the built executable, as Asterisk starts it
 *   npx node bench/calls.ts --binary dist/voicebot --standin --levels 1,4,8,12   # compute-faithful stand-in for real models
 *   npx node bench/calls.ts --binary dist/voicebot --levels 1,24,32 --stagger-per-call-ms 250   # the levels and start spread of `voicebot bench`
 *   npx node bench/calls.ts --levels 32 --binary dist/voicebot --set model_load_lanes=32   # any voicebot.conf key (repeatable)
 *   VOICEBOT_TEST_VOSK_MODEL=... VOICEBOT_TEST_PIPER_VOICE=... VOICEBOT_TEST_OLLAMA="<host> <model>" npx node bench/calls.ts
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startFakeOllama } from '../src/simulate/fake-ollama.ts';
import { sharedTestdata } from '../test/support/paths.ts';
import { callerScript, runCalls, tinyEngines, type CallMeasure, type Engines } from './calls-run.ts';
import { memoryBreakdown } from './calls-memory.ts';
import { fixed, markdownTable, median, quantile } from './stats.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}
const quick = process.argv.includes('--quick');
const levels = (flag('--levels') ?? (quick ? '1,4' : '1,2,4,8,16')).split(',').map(Number).filter((n) => n > 0);
const tokenMs = Number(flag('--token-ms') ?? 40);
const firstTokenMs = Number(flag('--first-token-ms') ?? 150);
const staggerMs = Number(flag('--stagger-ms') ?? 3000);
/** `--stagger-per-call-ms 250`: starts spread over max(2 s, N x 250 ms), as `voicebot bench` spreads them. */
const staggerPerCallMs = flag('--stagger-per-call-ms');
const staggerFor = (n: number): number => (staggerPerCallMs === undefined ? staggerMs : Math.max(2000, n * Number(staggerPerCallMs)));
/** `--vad energy` compares with runs before Silero became the default (it costs a call ~1.5x the CPU). */
const vad = flag('--vad');
/** `--max-calls K` sets max_concurrent_calls: calls over it get BUSY and are counted, not measured. */
const maxCalls = flag('--max-calls');
/** `--binary dist/voicebot`: the built executable, as Asterisk runs it (default: the source through Node). */
const binary = flag('--binary');
/** `--set key=value` (repeatable): extra voicebot.conf settings for every call. */
const sets: Record<string, string> = Object.fromEntries(process.argv.flatMap((a, i) => (a === '--set' && process.argv[i + 1]?.includes('=') ? [process.argv[i + 1]!.split(/=(.*)/s).slice(0, 2) as [string, string]] : [])));
/** `--standin`: the TEST STAND-IN costs of real models (README, "Capacity"): Vosk small 0.2 core, Piper 0.075 RTF, 300 MB. */
const standin: Record<string, number> = process.argv.includes('--standin') ? { test_stt_rtf: 0.2, test_tts_rtf: 0.075, test_model_rss_mb: 300 } : {};
const REPLY = 'We are open from nine to five on Saturday. Is there anything else I can help you with?';
const QUESTIONS = ['What are your opening hours on Saturday?', 'And where is your office?', 'Thank you, that is all.'];

const dir = mkdtempSync(join(tmpdir(), 'voicebot-bench-'));
const caller = callerScript(QUESTIONS, { leadMs: 2500, gapMs: 8000 });
const ollama = await startFakeOllama({ script: () => ({ content: REPLY, firstTokenDelayMs: firstTokenMs }), tokenDelayMs: tokenMs });

console.log(`# bench/calls: ${levels.join(', ')} simultaneous calls, ${(caller.lengthMs / 1000).toFixed(1)} s each in real time`);
console.log(`caller: ${caller.speech}, ${QUESTIONS.length} questions; fake Ollama: first token ${firstTokenMs} ms, ${(1000 / tokenMs).toFixed(0)} tokens/s; starts spread over ${staggerMs} ms; vad = ${vad ?? 'the default (silero)'}; max_concurrent_calls = ${maxCalls ?? 'none'};${Object.keys(sets).length > 0 ? ` set: ${Object.entries(sets).map(([k, v]) => `${k}=${v}`).join(', ')};` : ''} program: ${binary ?? 'source (node src/cli/main.ts)'}${process.argv.includes('--standin') ? '; engines: TEST STAND-IN costs (stt rtf 0.2, tts rtf 0.075, 300 MB)' : ''}\n`);

interface Level { n: number; measures: CallMeasure[]; benchLoopP99Ms: number; wallMs: number }

async function runLevels(engines: Engines, host: string, model: string | undefined, which: readonly number[]): Promise<Level[]> {
  const out: Level[] = [];
  for (const n of which) {
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const started = performance.now();
    const measures = await runCalls({ count: n, caller, engines, ollamaHost: host, ollamaModel: model, staggerMs: staggerFor(n), binary, extra: { ...standin, ...sets, ...(vad === undefined ? {} : { vad }), ...(maxCalls === undefined ? {} : { max_concurrent_calls: Number(maxCalls) }) } });
    loop.disable();
    const level = { n, measures, benchLoopP99Ms: loop.percentile(99) / 1e6, wallMs: performance.now() - started };
    out.push(level);
    console.error(`  N=${n} done in ${(level.wallMs / 1000).toFixed(0)} s`);
  }
  return out;
}

function summarize(title: string, results: Level[]): void {
  const rows = results.map(({ n, measures: offered, benchLoopP99Ms }) => {
    const measures = offered.filter((m) => !m.result.commands.some((c) => c.cmd === 'SET VARIABLE VOICEBOT_STATUS "BUSY"'));
    const busy = offered.length - measures.length;
    const latencies = measures.flatMap((m) => m.latencyMs.filter((v): v is number => v !== undefined));
    const unanswered = measures.reduce((sum, m) => sum + m.latencyMs.filter((v) => v === undefined).length, 0);
    const lag = measures.flatMap((m) => m.samples?.fd3LagMs ?? []);
    const db = measures.flatMap((m) => m.dbFirstAudioMs);
    const hwm = measures.map((m) => m.probe?.vmHwmKb ?? m.samples?.lastHwmKb ?? 0).filter((v) => v > 0);
    const anon = measures.map((m) => m.samples?.peakRssAnonKb ?? 0).filter((v) => v > 0);
    const cpuPct = measures.map((m) => ((m.probe?.cpuMs ?? m.samples?.cpuMs ?? 0) / Math.max(1, m.probe?.uptimeMs ?? caller.lengthMs)) * 100);
    const exits = measures.filter((m) => m.result.exitCode !== 0 || m.result.killed).length;
    const running = measures.flatMap((m) => (m.running === undefined ? [] : [m.running]));
    const runningLag = running.flatMap((r) => r.fd3LagMs);
    return {
      runningLagP95: quantile(runningLag, 0.95), runningLagMax: Math.max(0, ...runningLag),
      runningOverruns: running.reduce((sum, r) => sum + r.overruns, 0), runningMaxOverrun: Math.max(0, ...running.map((r) => r.maxOverrunMs)),
      runningDropped: running.reduce((sum, r) => sum + r.droppedFrames, 0),
      n, latencyP50: median(latencies), latencyP95: quantile(latencies, 0.95), dbP50: median(db), dbP95: quantile(db, 0.95),
      lagP50: median(lag), lagP95: quantile(lag, 0.95), lagMax: Math.max(0, ...lag),
      overruns: measures.reduce((s, m) => s + m.overrunsAfterAnswer, 0), maxOverrun: Math.max(0, ...measures.map((m) => m.maxOverrunMs)),
      dropped: measures.reduce((s, m) => s + m.readerDroppedFrames, 0) + measures.reduce((s, m) => s + m.result.fd3BytesDropped / 320, 0),
      unanswered, turns: latencies.length + unanswered, hwmMb: median(hwm) / 1024, anonMb: median(anon) / 1024, cpuPct: median(cpuPct),
      exits, benchLoopP99Ms, busy,
    };
  });
  const base = rows[0];
  console.log(`## ${title}\n`);
  console.log(markdownTable(
    ['N', 'BUSY (not answered)', 'turn latency p50 / p95 (ms)', 'vs N=1 p95', 'first_audio_ms in DB p50 / p95', 'fd 3 backlog p50 / p95 / max (ms)', 'overruns after answer (max ms)', 'dropped frames', 'running calls: backlog p95 / max, overruns (max), drops', 'unanswered turns', 'peak RSS / anon per call (MB)', 'CPU per call', 'bad exits', 'bench loop p99 (ms)'],
    rows.map((r) => [
      r.n, r.busy, `${fixed(r.latencyP50, 0)} / ${fixed(r.latencyP95, 0)}`, base === undefined ? '' : `${fixed(r.latencyP95 / base.latencyP95, 2)}x`,
      `${fixed(r.dbP50, 0)} / ${fixed(r.dbP95, 0)}`, `${fixed(r.lagP50, 0)} / ${fixed(r.lagP95, 0)} / ${fixed(r.lagMax, 0)}`,
      `${r.overruns} (${r.maxOverrun})`, fixed(r.dropped, 0),
      `${fixed(r.runningLagP95, 0)} / ${fixed(r.runningLagMax, 0)} ms, ${r.runningOverruns} (${r.runningMaxOverrun}), ${r.runningDropped}`, `${r.unanswered}/${r.turns}`, `${fixed(r.hwmMb, 0)} / ${fixed(r.anonMb, 0)}`,
      `${fixed(r.cpuPct, 1)}%`, r.exits, fixed(r.benchLoopP99Ms, 0),
    ]),
  ));
  // The latency ratio needs N=1 as the base; the other signs of degradation hold at any N.
  const degraded = rows.find((r) => (base !== undefined && base.n === 1 && r.n !== 1 && r.latencyP95 > base.latencyP95 * 1.5 + 200)
    || r.lagP95 > 200 || r.unanswered > 0 || r.dropped > 0 || r.exits > 0);
  // The knee by `voicebot bench`'s rule (src/capacity/figures.ts): p95 within 1.2x of N=1, every
  // turn answered, nothing dropped (its fd 3 lag is read from the calls' logs; compare by hand).
  const passing = base?.n === 1 ? rows.filter((r) => r.latencyP95 <= base.latencyP95 * 1.2 && r.unanswered === 0 && r.dropped === 0 && r.exits === 0) : [];
  const knee = rows.find((r) => !passing.includes(r));
  if (base?.n === 1) console.log(`\nKnee by voicebot bench's rule: largest N before the first failing level = ${(knee === undefined ? rows.at(-1) : rows[rows.indexOf(knee) - 1])?.n ?? 0}`);
  console.log(degraded === undefined
    ? `\nNo degradation up to N=${rows.at(-1)?.n} (criterion: p95 latency > 1.5x N=1 + 200 ms, fd 3 backlog p95 > 200 ms, a dropped frame, an unanswered turn or a bad exit).\n`
    : `\nDegrades at N=${degraded.n}: p95 latency ${fixed(degraded.latencyP95, 0)} ms vs ${fixed(base?.latencyP95 ?? NaN, 0)} ms at N=1, fd 3 backlog p95 ${fixed(degraded.lagP95, 0)} ms, ${degraded.unanswered} unanswered turns, ${fixed(degraded.dropped, 0)} dropped frames.\n`);
}

const tiny = tinyEngines(dir);
summarize(`Test engines (${tiny.label})${process.argv.includes('--standin') ? ' + TEST STAND-IN costs of real models' : ''}, fake Ollama`, await runLevels(tiny, ollama.host, undefined, levels));

const realVosk = process.env['VOICEBOT_TEST_VOSK_MODEL'];
const realVoice = process.env['VOICEBOT_TEST_PIPER_VOICE'];
const [realHost, realModel] = (process.env['VOICEBOT_TEST_OLLAMA'] ?? '').trim().split(/\s+/);
if ((realVosk ?? '') === '' && (realVoice ?? '') === '' && (realHost ?? '') === '') {
  console.log('Real models: skipped (set VOICEBOT_TEST_VOSK_MODEL, VOICEBOT_TEST_PIPER_VOICE and/or VOICEBOT_TEST_OLLAMA="<host> <model>" to run the same levels with them).\n');
} else {
  const settings: Record<string, string | number> = { ...tiny.settings };
  const parts: string[] = [];
  if ((realVosk ?? '') !== '') { settings['vosk_model_dir'] = realVosk!; parts.push(`Vosk ${realVosk}`); }
  if ((realVoice ?? '') !== '') { settings['voice_engine'] = 'piper'; settings['piper_voice'] = realVoice!; parts.push(`Piper ${realVoice}`); }
  const host = (realHost ?? '') !== '' ? realHost! : ollama.host;
  parts.push((realHost ?? '') !== '' ? `Ollama ${realHost} ${realModel ?? ''}` : 'fake Ollama');
  summarize(`Real models (${parts.join(', ')})`, await runLevels({ label: parts.join(', '), settings }, host, realModel, levels));
}

const piperDummy = sharedTestdata();
if (!process.argv.includes('--no-memory')) await memoryBreakdown({ caller, ollamaHost: ollama.host, tiny, piperDummyVoice: piperDummy === undefined ? undefined : join(piperDummy, 'piper-dummy', 'test_voice.onnx'), realVosk, realVoice });
await ollama.close();
