/**
 * Speech engine costs: Vosk model load, recognizer real-time factor, Piper voice preparation and
 * load, TTS real-time factor and first-sentence latency, resampler throughput, and how long the
 * native calls block the event loop (the fd 3 pipe holds only ~4 s of audio).
 * Runs on the generated tiny Vosk model and the piper-dummy voice; real ones through
 * VOICEBOT_TEST_VOSK_MODEL / VOICEBOT_TEST_PIPER_VOICE.
 *
 * Usage: npx node bench/engines.ts [--runs 7]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { concatSamples } from '../src/audio/pcm.ts';
import { resample } from '../src/audio/resample.ts';
import { writeTinyVoskModel } from '../src/simulate/tiny-vosk-model.ts';
import { VoskModel } from '../src/stt/vosk-model.ts';
import { VoskRecognizer } from '../src/stt/vosk-recognizer.ts';
import { PiperTtsEngine } from '../src/tts/piper-tts.ts';
import { SpeechRenderer } from '../src/tts/render.ts';
import { ToneTestVoice } from '../src/tts/tone-test-voice.ts';
import { callerAudio } from '../test/support/speech.ts';
import { sharedTestdata } from '../test/support/paths.ts';
import { fixed, markdownTable, median } from './stats.ts';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg === -1 ? 7 : Number(process.argv[runsArg + 1]);
const ESPEAK_DATA = '/usr/lib/x86_64-linux-gnu/espeak-ng-data';
const SENTENCE = 'Thank you for calling, your table for two is booked for seven tonight.';
const rows: (string | number)[][] = [];
const work = mkdtempSync(join(tmpdir(), 'voicebot-bench-engines-'));

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** Max and median event-loop delay (ms) while `fn` runs, sampled every 1 ms. */
async function stall(fn: () => Promise<unknown>): Promise<{ maxMs: number; p50Ms: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await fn();
  histogram.disable();
  return { maxMs: histogram.max / 1e6, p50Ms: histogram.percentile(50) / 1e6 };
}

async function benchVosk(label: string, dir: string, audio8k: Int16Array): Promise<void> {
  const loads: number[] = [];
  const loadStalls: number[] = [];
  let model: VoskModel | undefined;
  for (let i = 0; i < runs; i += 1) {
    let loaded: VoskModel | undefined;
    const delay = await stall(async () => { loaded = await VoskModel.load(dir); });
    loads.push(loaded!.loadMs);
    loadStalls.push(delay.maxMs);
    if (i < runs - 1) loaded!.free(); else model = loaded;
  }
  rows.push([`${label}: model load (worker thread)`, `${fixed(median(loads))} ms`, `loop stall max ${fixed(median(loadStalls))} ms`]);
  const input = model!.sampleRateHz === 8000 ? audio8k : resample(audio8k, 8000, model!.sampleRateHz);
  const frame = model!.sampleRateHz / 50;
  const audioMs = (input.length / model!.sampleRateHz) * 1000;
  const asyncRtf: number[] = [];
  const syncRtf: number[] = [];
  const syncCallMs: number[] = [];
  const asyncStall: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const recognizer = new VoskRecognizer(model!);
    const delay = await stall(async () => {
      const { ms } = await timed(async () => {
        for (let at = 0; at < input.length; at += frame) if (await recognizer.accept(input.subarray(at, at + frame))) recognizer.result();
        await recognizer.finalResult();
      });
      asyncRtf.push(ms / audioMs);
    });
    asyncStall.push(delay.maxMs);
    const started = performance.now();
    for (let at = 0; at < input.length; at += frame) {
      const t0 = performance.now();
      if (recognizer.acceptSync(input.subarray(at, at + frame))) recognizer.result();
      syncCallMs.push(performance.now() - t0);
    }
    await recognizer.finalResult();
    syncRtf.push((performance.now() - started) / audioMs);
    recognizer.free();
  }
  const sortedSync = [...syncCallMs].sort((a, b) => a - b);
  rows.push([`${label}: recognizer RTF, 20 ms frames, async calls`, fixed(median(asyncRtf), 4), `loop stall max ${fixed(median(asyncStall))} ms`]);
  rows.push([`${label}: recognizer RTF, 20 ms frames, sync calls`, fixed(median(syncRtf), 4), `blocking per call median ${fixed(median(syncCallMs), 3)} ms, max ${fixed(sortedSync.at(-1) ?? Number.NaN, 2)} ms`]);
  model!.free();
}

async function benchPiper(label: string, voicePath: string): Promise<void> {
  const firstLoad: number[] = [];
  const prepare: number[] = [];
  const cachedLoad: number[] = [];
  const loadStall: number[] = [];
  let engine: PiperTtsEngine | undefined;
  for (let i = 0; i < runs; i += 1) {
    const cacheDir = join(work, `voices-${label}-${i}`);
    const cold = await timed(() => PiperTtsEngine.load({ voicePath, cacheDir, espeakDataDir: ESPEAK_DATA }));
    firstLoad.push(cold.ms);
    prepare.push(cold.value.timings.prepareMs);
    let warm: PiperTtsEngine | undefined;
    const delay = await stall(async () => {
      const result = await timed(() => PiperTtsEngine.load({ voicePath, cacheDir, espeakDataDir: ESPEAK_DATA }));
      cachedLoad.push(result.ms);
      warm = result.value;
    });
    loadStall.push(delay.maxMs);
    engine = warm;
  }
  rows.push([`${label}: voice load, first time (incl. preparation)`, `${fixed(median(firstLoad))} ms`, `preparation ${fixed(median(prepare))} ms`]);
  rows.push([`${label}: voice load, prepared copy cached`, `${fixed(median(cachedLoad))} ms`, `loop stall max ${fixed(median(loadStall))} ms`]);
  const rtf: number[] = [];
  const first: number[] = [];
  const synthStall: number[] = [];
  const renderer = new SpeechRenderer({ engine: engine!, cacheDir: work, callId: `bench-${label}` });
  for (let i = 0; i < runs; i += 1) {
    const delay = await stall(async () => {
      const { ms, value } = await timed(() => engine!.synthesize(SENTENCE));
      rtf.push(ms / ((value.samples.length / value.sampleRateHz) * 1000));
    });
    synthStall.push(delay.maxMs);
    first.push((await timed(() => renderer.render(SENTENCE))).ms);
  }
  rows.push([`${label}: TTS RTF (one sentence)`, fixed(median(rtf), 4), `loop stall max ${fixed(median(synthStall))} ms`]);
  rows.push([`${label}: first sentence text -> .sln file`, `${fixed(median(first))} ms`, 'synthesis + resample to 8 kHz + atomic write']);
}

async function benchResampler(): Promise<void> {
  const seconds = 10;
  for (const [fromHz, toHz] of [[22050, 8000], [16000, 8000], [8000, 16000]] as const) {
    const input = callerAudio([SENTENCE], fromHz);
    const long = concatSamples(Array.from({ length: Math.ceil((seconds * fromHz) / input.length) }, () => input)).subarray(0, seconds * fromHz);
    const times: number[] = [];
    for (let i = 0; i < runs; i += 1) times.push((await timed(async () => resample(long, fromHz, toHz))).ms);
    rows.push([`resampler ${fromHz} -> ${toHz} Hz`, `${fixed((seconds * 1000) / median(times), 0)}x real time`, `${fixed(median(times) / seconds, 2)} ms per audio second`]);
  }
}

async function main(): Promise<void> {
  const audio8k = callerAudio([500, 'yes', 800, 'I would like to book a table for two people tonight please', 1000]);
  await benchVosk('tiny test model', writeTinyVoskModel(join(work, 'tiny')), audio8k);
  const realModel = process.env['VOICEBOT_TEST_VOSK_MODEL'];
  if (realModel !== undefined && realModel !== '') await benchVosk('real Vosk model', realModel, audio8k);

  const testdata = sharedTestdata();
  const dummy = testdata === undefined ? undefined : join(testdata, 'piper-dummy', 'test_voice.onnx');
  if (dummy !== undefined && existsSync(dummy)) await benchPiper('piper-dummy', dummy);
  else process.stderr.write('piper-dummy voice not found: skipping the Piper rows\n');
  const realVoice = process.env['VOICEBOT_TEST_PIPER_VOICE'];
  if (realVoice !== undefined && realVoice !== '') await benchPiper('real Piper voice', realVoice);

  const tone = new ToneTestVoice();
  const toneRtf: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const { ms, value } = await timed(() => tone.synthesize(SENTENCE));
    toneRtf.push(ms / ((value.samples.length / value.sampleRateHz) * 1000));
  }
  rows.push(['tone test voice: TTS RTF (baseline, pure TS)', fixed(median(toneRtf), 4), '']);
  await benchResampler();
  process.stdout.write(`Speech engines, median of ${runs} runs (${new Date().toISOString()})\n\n`);
  process.stdout.write(`${markdownTable(['measure', 'value', 'notes'], rows)}\n`);
  rmSync(work, { recursive: true, force: true });
}

await main();
