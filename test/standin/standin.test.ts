import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pcm } from '../../src/audio/pcm.ts';
import { VoicebotError } from '../../src/errors.ts';
import { burnCpu, calibrateBurner, touchMemory } from '../../src/standin/cpu-burner.ts';
import { STT_BURN_BATCH_MS, withSttCost, withTtsCost } from '../../src/standin/engines.ts';
import type { SttEngine, SttEvent, SttInput } from '../../src/stt/engine.ts';
import type { SynthesizeOptions, TtsEngine } from '../../src/tts/engine.ts';

// Bounds only, and generous: CI is a loaded 2-core box. CPU and time figures are lower bounds (0.5x);
// the only time ceilings are loose (a 1 ms timer never stalls 100 ms, an abort lands well before the burn would end).

interface CpuMark { process: NodeJS.CpuUsage; main: NodeJS.CpuUsage }

function cpuMark(): CpuMark {
  return { process: process.cpuUsage(), main: process.threadCpuUsage() };
}

/** CPU ms since `mark`: the whole process, the main thread, and the rest (the threadpool). */
function cpuSince(mark: CpuMark): { processMs: number; mainMs: number; offMainMs: number } {
  const all = process.cpuUsage(mark.process);
  const main = process.threadCpuUsage(mark.main);
  const processMs = (all.user + all.system) / 1000;
  const mainMs = (main.user + main.system) / 1000;
  return { processMs, mainMs, offMainMs: processMs - mainMs };
}

/** Longest gap between ticks of a 1 ms timer: the main thread's responsiveness. */
function watchMainThread(): () => number {
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 1);
  return () => {
    clearInterval(timer);
    return Math.max(maxGapMs, performance.now() - last);
  };
}

const FRAME_MS = 20;
const RATE_HZ = 8000;

function frame(): SttInput {
  return { type: 'audio', frame: { sampleRateHz: RATE_HZ, samples: new Int16Array((RATE_HZ * FRAME_MS) / 1000).fill(100) } };
}

/** One turn of `audioMs` caller audio, framed at 20 ms. */
function turn(audioMs: number): SttInput[] {
  return [{ type: 'turn-start' }, ...Array.from({ length: audioMs / FRAME_MS }, frame), { type: 'turn-end' }];
}

/** A scripted recognizer: a partial every 10 frames, a final per turn-end; records what it was fed. */
class FakeStt implements SttEngine {
  readonly name = 'fake-stt';
  readonly fed: SttInput[] = [];
  closed = 0;

  async *transcribe(input: AsyncIterable<SttInput>): AsyncGenerator<SttEvent> {
    let frames = 0;
    for await (const item of input) {
      this.fed.push(item);
      if (item.type === 'audio') {
        frames += 1;
        if (frames % 10 === 0) yield { type: 'partial', text: `frames ${frames}` };
      } else if (item.type === 'turn-end') {
        yield { type: 'final', text: `turn of ${frames} frames`, words: [], decodeMs: 0 };
        frames = 0;
      }
    }
  }

  close(): void {
    this.closed += 1;
  }
}

/** A voice that returns the same second of audio for any text; counts its calls. */
class FakeTts implements TtsEngine {
  readonly name = 'fake-tts';
  readonly cacheKey = 'fake-tts:v1';
  readonly sampleRateHz = 16000;
  readonly audio: Pcm = { sampleRateHz: 16000, samples: new Int16Array(16000).fill(7) };
  calls = 0;

  async synthesize(_text: string, _options: SynthesizeOptions = {}): Promise<Pcm> {
    this.calls += 1;
    return this.audio;
  }

  close(): void {}
}

async function* source(items: readonly SttInput[], onYield?: (item: SttInput) => void): AsyncGenerator<SttInput> {
  for (const item of items) {
    onYield?.(item);
    yield item;
  }
}

async function collect(events: AsyncIterable<SttEvent>): Promise<SttEvent[]> {
  const out: SttEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

test('the burner spends the asked CPU on other threads while the main thread keeps ticking', async () => {
  assert.ok(calibrateBurner() > 0);
  const askedMs = 400;
  const mark = cpuMark();
  const stopWatching = watchMainThread();
  await burnCpu(askedMs);
  const maxGapMs = stopWatching();
  const spent = cpuSince(mark);
  assert.ok(spent.offMainMs >= 0.5 * askedMs, `off-main CPU ${spent.offMainMs.toFixed(0)} ms for ${askedMs} ms asked`);
  assert.ok(spent.mainMs < 0.5 * askedMs, `main thread CPU ${spent.mainMs.toFixed(0)} ms`);
  assert.ok(maxGapMs < 100, `main thread stalled ${maxGapMs.toFixed(0)} ms`);
});

test('abort stops a burn early with the signal\'s reason; bad figures are refused', async () => {
  const controller = new AbortController();
  const reason = new Error('barge-in');
  const started = performance.now();
  const mark = cpuMark();
  setTimeout(() => controller.abort(reason), 100);
  await assert.rejects(burnCpu(5000, { signal: controller.signal }), (error) => error === reason);
  assert.ok(performance.now() - started < 2500, 'rejected long before the 5 s burn ended');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(cpuSince(mark).offMainMs < 2500, 'no chunk ran past the abort');
  await assert.rejects(burnCpu(100, { signal: AbortSignal.abort(reason) }), (error) => error === reason);
  await assert.rejects(burnCpu(-1), (error) => error instanceof VoicebotError && error.code === 'STANDIN_BAD_BURN');
  await burnCpu(0);
});

test('the STT cost passes input and events through unchanged and burns rtf x audio off the main thread', async () => {
  const rtf = 0.25;
  const input = [...turn(1000), ...turn(1000)];
  const plain = new FakeStt();
  const expected = await collect(plain.transcribe(source(input)));

  const inner = new FakeStt();
  const engine = withSttCost(inner, rtf);
  assert.equal(engine.name, 'fake-stt + TEST STAND-IN cost (rtf 0.25)');
  const mark = cpuMark();
  const stopWatching = watchMainThread();
  const events = await collect(engine.transcribe(source(input)));
  const maxGapMs = stopWatching();
  const spent = cpuSince(mark);
  assert.deepEqual(events, expected);
  assert.equal(events.filter((event) => event.type === 'final').length, 2);
  assert.deepEqual(inner.fed, input);
  assert.ok(inner.fed.every((item, index) => item === input[index]), 'the very same input objects');
  const askedMs = rtf * 2000;
  assert.ok(spent.offMainMs >= 0.5 * askedMs, `off-main CPU ${spent.offMainMs.toFixed(0)} ms for ${askedMs} ms owed`);
  assert.ok(maxGapMs < 100, `main thread stalled ${maxGapMs.toFixed(0)} ms`);
  engine.close();
  assert.equal(inner.closed, 1);
});

test('the STT cost still owed holds back the turn-end, as a real decoder would', async () => {
  const rtf = 1;
  const audioMs = STT_BURN_BATCH_MS - 2 * FRAME_MS; // below one batch: all of it is paid at the turn-end
  let turnEndAtMs = 0;
  let finalAtMs = 0;
  const engine = withSttCost(new FakeStt(), rtf);
  for await (const event of engine.transcribe(source(turn(audioMs), (item) => { if (item.type === 'turn-end') turnEndAtMs = performance.now(); }))) {
    if (event.type === 'final') finalAtMs = performance.now();
  }
  assert.ok(finalAtMs - turnEndAtMs >= 0.5 * rtf * audioMs, `final ${(finalAtMs - turnEndAtMs).toFixed(0)} ms after the turn-end`);
});

test('an aborted STT stream stops burning but keeps passing input through', async () => {
  const controller = new AbortController();
  controller.abort(new Error('hangup'));
  const inner = new FakeStt();
  const input = turn(2000);
  const mark = cpuMark();
  const events = await collect(withSttCost(inner, 2).transcribe(source(input), { signal: controller.signal }));
  assert.equal(inner.fed.length, input.length);
  assert.equal(events.at(-1)?.type, 'final');
  assert.ok(cpuSince(mark).offMainMs < 2000, 'the 4 s of cost was not paid');
});

test('rtf 0 leaves the engines as they are; a bad rtf is refused with the key to fix', () => {
  const stt = new FakeStt();
  const tts = new FakeTts();
  assert.equal(withSttCost(stt, 0), stt);
  assert.equal(withTtsCost(tts, 0), tts);
  assert.throws(() => withSttCost(stt, -0.1), (error) => error instanceof VoicebotError && error.code === 'STANDIN_BAD_RTF' && /test_stt_rtf/.test(error.message));
  assert.throws(() => withTtsCost(tts, Number.NaN), (error) => error instanceof VoicebotError && /test_tts_rtf/.test(error.message));
});

test('the TTS cost returns the same audio, keeps the cache key and takes rtf x duration', async () => {
  const rtf = 0.3;
  const inner = new FakeTts();
  const engine = withTtsCost(inner, rtf);
  assert.equal(engine.name, 'fake-tts + TEST STAND-IN cost (rtf 0.3)');
  assert.equal(engine.cacheKey, inner.cacheKey);
  assert.equal(engine.sampleRateHz, inner.sampleRateHz);
  const mark = cpuMark();
  const started = performance.now();
  const pcm = await engine.synthesize('Hello caller.');
  const tookMs = performance.now() - started;
  const spent = cpuSince(mark);
  assert.equal(pcm, inner.audio);
  assert.equal(inner.calls, 1);
  const askedMs = rtf * 1000;
  assert.ok(tookMs >= 0.5 * askedMs, `synthesis took ${tookMs.toFixed(0)} ms for ${askedMs} ms of cost`);
  assert.ok(spent.offMainMs >= 0.5 * askedMs, `off-main CPU ${spent.offMainMs.toFixed(0)} ms`);
});

test('a barge-in aborts the TTS cost with the signal\'s reason', async () => {
  const engine = withTtsCost(new FakeTts(), 4);
  const controller = new AbortController();
  const reason = new Error('barge-in');
  const started = performance.now();
  setTimeout(() => controller.abort(reason), 50);
  await assert.rejects(engine.synthesize('Hello caller.', { signal: controller.signal }), (error) => error === reason);
  assert.ok(performance.now() - started < 2000, 'rejected long before the 4 s of cost');
});

test('touchMemory raises resident memory by about the asked megabytes, once per process', async () => {
  const askedMb = 128;
  const before = process.memoryUsage().rss;
  assert.equal(await touchMemory(askedMb), askedMb);
  const grownMb = (process.memoryUsage().rss - before) / (1024 * 1024);
  assert.ok(grownMb >= 0.5 * askedMb, `RSS grew ${grownMb.toFixed(0)} MB for ${askedMb} MB asked`);
  assert.equal(await touchMemory(askedMb / 2), askedMb, 'a smaller figure adds nothing');
  await assert.rejects(touchMemory(-1), (error) => error instanceof VoicebotError && error.code === 'STANDIN_BAD_MEMORY');
});

test('touchMemory holds the memory while timers keep running between its 64 MB steps', async () => {
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 0);
  const before = process.memoryUsage().rss;
  const heldMb = await touchMemory(448);
  clearInterval(timer);
  assert.equal(heldMb, 448);
  const grownMb = (process.memoryUsage().rss - before) / (1024 * 1024);
  assert.ok(grownMb >= 0.5 * (448 - 128), `RSS grew ${grownMb.toFixed(0)} MB`);
  assert.ok(ticks >= 2, `the event loop ran between steps (${ticks} timer ticks)`);
  await assert.rejects(touchMemory(Number.NaN), (error) => error instanceof VoicebotError && error.code === 'STANDIN_BAD_MEMORY');
});
