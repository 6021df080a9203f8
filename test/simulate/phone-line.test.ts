import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { muLawRoundTrip } from '../../src/audio/g711.ts';
import { generateNoise } from '../../src/audio/noise.ts';
import { concatSamples, rmsDbfs } from '../../src/audio/pcm.ts';
import { encodeWav } from '../../src/audio/wav.ts';
import { UsageError } from '../../src/errors.ts';
import { speechUnavailable } from '../../src/simulate/caller-speech.ts';
import { babbleSamples } from '../../src/simulate/line/babble.ts';
import { parseEchoSpec, parseGapSpec, parseNoiseSpec, parsePhoneLine, preparePhoneLine } from '../../src/simulate/line/line-spec.ts';
import { PhoneLine } from '../../src/simulate/line/phone-line.ts';
import { readRepliesFile, repliesScript } from '../../src/simulate/scripted-replies.ts';

const RATE = 8000;
const FRAME = 160;
const dir = mkdtempSync(join(tmpdir(), 'voicebot-phone-line-'));

/** Frames from..to-1 through the line with a silent caller; undefined where nothing is sent. */
function frames(line: PhoneLine, from: number, to: number): (Int16Array | undefined)[] {
  return Array.from({ length: to - from }, (_, k) => line.frame(from + k, new Int16Array(FRAME)));
}

function run(line: PhoneLine, count: number): (Int16Array | undefined)[] {
  return frames(line, 0, count);
}

function joined(frames: readonly (Int16Array | undefined)[]): Int16Array {
  return concatSamples(frames.map((frame) => frame ?? new Int16Array(FRAME)));
}

test('noise: on every frame, at its level, the same for the same seed, continuing across frames', () => {
  const make = () => new PhoneLine({ noise: [{ kind: 'pink', levelDbfs: -30, seed: 4 }] }, RATE);
  const a = joined(run(make(), 250));
  assert.deepEqual(a, joined(run(make(), 250)));
  assert.ok(Math.abs(rmsDbfs(a) + 30) < 0.5, `${rmsDbfs(a).toFixed(2)} dBFS`);
  assert.ok(run(make(), 250).every((frame) => frame !== undefined && rmsDbfs(frame) > -45), 'no silent frame');
  // The caller is mixed with it, not replaced.
  const speech = generateNoise('white', FRAME, RATE, -15, 9);
  const mixed = new PhoneLine({ noise: [{ kind: 'white', levelDbfs: -30, seed: 1 }] }, RATE).frame(0, speech);
  assert.ok(mixed !== undefined && Math.abs(rmsDbfs(mixed) - 10 * Math.log10(10 ** -1.5 + 10 ** -3)) < 0.5);
});

test('noise from samples loops, scaled to the level; two noises add up', () => {
  const burst = Int16Array.from({ length: 300 }, (_, i) => (i < 150 ? 1000 : -1000));
  const line = new PhoneLine({ noise: [{ name: 'square', samples: burst, rateHz: RATE, levelDbfs: -20 }] }, RATE);
  const out = joined(run(line, 10));
  assert.equal(out[0], out[300]);
  assert.equal(out[149], out[449]);
  assert.ok(Math.abs(rmsDbfs(out) + 20) < 0.1);
  const two = joined(run(new PhoneLine({ noise: [{ kind: 'white', levelDbfs: -30, seed: 1 }, { kind: 'hum50', levelDbfs: -30 }] }, RATE), 200));
  assert.ok(Math.abs(rmsDbfs(two) + 27) < 0.5, `two noises at -30 make -27 dBFS: ${rmsDbfs(two).toFixed(2)}`);
});

test('gaps: no frame at all from their start for their length; noise keeps its place in time', () => {
  const line = new PhoneLine({ gaps: [{ atMs: 100, durationMs: 60 }], noise: [{ kind: 'white', levelDbfs: -30, seed: 3 }] }, RATE);
  const frames = run(line, 10);
  assert.deepEqual(frames.map((frame) => frame === undefined), [false, false, false, false, false, true, true, true, false, false]);
  const plain = run(new PhoneLine({ noise: [{ kind: 'white', levelDbfs: -30, seed: 3 }] }, RATE), 10);
  assert.deepEqual(frames[8], plain[8], 'after the gap the noise is where it would have been');
  // A caller side that sends nothing stays nothing, noise or not.
  assert.equal(new PhoneLine({ noise: [{ kind: 'pink', levelDbfs: -30 }] }, RATE).frame(0, undefined), undefined);
});

test('mu-law: with --mulaw or echo every frame is what a G.711 line delivers', () => {
  const speech = generateNoise('white', FRAME, RATE, -20, 5);
  assert.deepEqual(new PhoneLine({ muLaw: true }, RATE).frame(0, speech), muLawRoundTrip(speech));
  assert.deepEqual(new PhoneLine({ echo: { delayMs: 100, lossDb: 10 } }, RATE).frame(0, speech), muLawRoundTrip(speech));
  assert.deepEqual(new PhoneLine({}, RATE).frame(0, speech), speech);
});

test('echo: each played sample comes back delay later at the loss, placed by sample on the frame clock', () => {
  const line = new PhoneLine({ echo: { delayMs: 30, lossDb: 0 } }, RATE);
  const played = Int16Array.from({ length: 400 }, (_, i) => 1000 + i);
  const before = frames(line, 0, 2);
  line.playbackStarted(45.5, played, RATE);
  const out = joined([...before, ...frames(line, 2, 10)]);
  const at = Math.round((45.5 + 30) * 8);
  assert.equal(out[at - 1], 0);
  assert.equal(out[at], muLawRoundTrip(Int16Array.of(1000))[0]);
  assert.equal(out[at + 399], muLawRoundTrip(Int16Array.of(1399))[0]);
  assert.equal(out[at + 400], 0);
});

test('echo: a playback stopped early echoes only what was played; a 16 kHz sound echoes at the channel rate', () => {
  const line = new PhoneLine({ echo: { delayMs: 100, lossDb: 6 } }, RATE);
  const played = new Int16Array(8000).fill(8000);
  const stop = line.playbackStarted(0, played, RATE);
  const first = frames(line, 0, 8);
  stop(800);
  const out = joined([...first, ...frames(line, 8, 30)]);
  assert.equal(out[799], 0);
  assert.ok(Math.abs((out[800] ?? 0) - 8000 / 2) < 200, `echo ${out[800]} at -6 dB`);
  assert.ok((out[1599] ?? 0) > 3000);
  assert.deepEqual(out.subarray(1600), new Int16Array(out.length - 1600), 'nothing past what was played');
  const wide = new PhoneLine({ echo: { delayMs: 0, lossDb: 0 } }, RATE);
  wide.playbackStarted(0, new Int16Array(1600).fill(4000), 16000);
  const echoed = joined(run(wide, 10));
  assert.ok((echoed[799] ?? 0) > 3000 && echoed[800] === 0, '100 ms of 16 kHz audio echoes as 100 ms at 8 kHz');
});

test('spec parsing: levels, colours, files, echo and gaps, with messages that name the fix', () => {
  assert.deepEqual(parseNoiseSpec('pink@-30'), { source: 'pink', levelDbfs: -30 });
  assert.deepEqual(parseNoiseSpec('hum60@-35.5dBFS'), { source: 'hum60', levelDbfs: -35.5 });
  const wav = join(dir, 'street.wav');
  writeFileSync(wav, encodeWav({ sampleRateHz: 16000, channels: 1, samples: generateNoise('brown', 16000, 16000, -20, 1) }));
  assert.deepEqual(parseNoiseSpec(`${wav}@-25`), { source: { file: wav }, levelDbfs: -25 });
  const usage = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (error: unknown) => error instanceof UsageError && pattern.test(error.message));
  usage(() => parseNoiseSpec('purple@-30'), /unknown noise "purple"; use white, pink, brown, hum50, hum60, babble/);
  usage(() => parseNoiseSpec('pink@loud'), /not an RMS level in dBFS/);
  usage(() => parseNoiseSpec('pink@6'), /from -90 to 0/);
  usage(() => parseNoiseSpec('pink'), /expected SOURCE@LEVEL, e\.g\. pink@-30/);
  usage(() => parseNoiseSpec(join(dir, 'missing.wav@-20')), /no such file/);
  const stereo = join(dir, 'stereo.wav');
  writeFileSync(stereo, encodeWav({ sampleRateHz: 8000, channels: 2, samples: new Int16Array(100).fill(5) }));
  usage(() => parseNoiseSpec(`${stereo}@-20`), /must be mono/);
  assert.deepEqual(parseEchoSpec('12dB@100ms'), { lossDb: 12, delayMs: 100 });
  assert.deepEqual(parseEchoSpec('6@0.25s'), { lossDb: 6, delayMs: 250 });
  usage(() => parseEchoSpec('12dB@100'), /with a unit, e\.g\. 100ms/);
  usage(() => parseEchoSpec('loud'), /expected LOSS@DELAY, e\.g\. 12dB@100ms/);
  assert.deepEqual(parseGapSpec('2.5s+1.2s'), { atMs: 2500, durationMs: 1200 });
  assert.deepEqual(parseGapSpec('4000ms+800ms'), { atMs: 4000, durationMs: 800 });
  assert.deepEqual(parseGapSpec('3+1'), { atMs: 3000, durationMs: 1000 });
  usage(() => parseGapSpec('2.5s'), /expected START\+LENGTH/);
  assert.equal(parsePhoneLine({ noise: [], gap: [] }), undefined, 'no option, no line');
  const spec = parsePhoneLine({ noise: [`${wav}@-25`, 'white@-40'], noiseSeed: '7', echo: '10dB@50ms', gap: ['1s+0.5s'] });
  assert.ok(spec !== undefined);
  const prepared = preparePhoneLine(spec, { rateHz: RATE, cacheDir: dir });
  assert.equal(prepared.noise?.length, 2);
  assert.deepEqual(prepared.noise?.[1], { kind: 'white', levelDbfs: -40, seed: 8 });
  assert.deepEqual(prepared.echo, { lossDb: 10, delayMs: 50 });
});

test('scripted replies: one per turn in order, the last repeats; a replies file skips blanks and comments', async () => {
  const script = repliesScript(['One.', 'Two.']);
  const request = { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true };
  const said = [];
  for (let i = 0; i < 4; i += 1) said.push((await script(request)).content);
  assert.deepEqual(said, ['One.', 'Two.', 'Two.', 'Two.']);
  const file = join(dir, 'replies.txt');
  writeFileSync(file, '# the bot\nWe open at nine.\n\n  Goodbye.  \r\n');
  assert.deepEqual(readRepliesFile(file), ['We open at nine.', 'Goodbye.']);
  writeFileSync(file, '# nothing\n\n');
  assert.throws(() => readRepliesFile(file), /holds no reply/);
  assert.throws(() => readRepliesFile(join(dir, 'none.txt')), /no such file/);
});

test('babble: several espeak-ng talkers mixed, made once and then read from the cache', { skip: speechUnavailable() }, () => {
  const cache = join(dir, 'babble-cache');
  const first = babbleSamples(cache, RATE);
  assert.equal(first.length, 12 * RATE);
  assert.ok(Math.abs(rmsDbfs(first) + 20) < 0.1);
  // Talkers overlap: no long silence anywhere in the loop.
  for (let start = 0; start + RATE / 2 <= first.length; start += RATE / 2) assert.ok(rmsDbfs(first.subarray(start, start + RATE / 2)) > -35, `half second at ${start / RATE} s`);
  const cached = join(cache, `babble-${RATE}.wav`);
  const made = statSync(cached).mtimeMs;
  assert.deepEqual(babbleSamples(cache, RATE), first);
  assert.equal(statSync(cached).mtimeMs, made, 'the second call reads the cache');
});
