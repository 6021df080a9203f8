import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateNoise } from '../../src/audio/noise.ts';
import { rmsDbfs, samplesAsBytes } from '../../src/audio/pcm.ts';
import { runFakeAsteriskCall, type FakeCallResult } from '../../src/simulate/fake-asterisk.ts';
import { fd3Timeline } from '../../src/simulate/line/fd3-timeline.ts';
import type { PhoneLineOptions } from '../../src/simulate/line/line-options.ts';
import { nodeBin, repoRoot } from '../support/paths.ts';

// Real pipes: the fake Asterisk runs test/support/agi-script.ts, which plays a sound with STREAM
// FILE (optionally interrupted by NOOP) while draining fd 3; the fake records every fd 3 frame.
const dir = mkdtempSync(join(tmpdir(), 'voicebot-line-call-'));
const RATE = 8000;
/** Played sound: white noise (a sharp correlation peak), 1.5 s at -20 dBFS. */
const played = generateNoise('white', RATE * 1.5, RATE, -20, 11);
const soundPath = join(dir, 'played');
writeFileSync(`${soundPath}.sln`, samplesAsBytes(played));

type Step = { cmd: string } | { overlap: { cmd1: string; cmd2: string; afterMs: number } } | { pauseMs: number };

async function call(name: string, plan: Step[], line: PhoneLineOptions, callerAudio = new Int16Array(0)): Promise<FakeCallResult> {
  const planFile = join(dir, `${name}.plan.json`);
  writeFileSync(planFile, JSON.stringify(plan));
  const result = await runFakeAsteriskCall({
    command: [nodeBin, join(repoRoot, 'test', 'support', 'agi-script.ts'), 'replay', planFile, join(dir, `${name}.results.json`)],
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'] },
    callerAudio, callerRateHz: RATE, afterCallerAudio: 'silence', timeScale: 2, line, killAfterMs: 30_000, soundsDir: dir,
  });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.fd3BytesDropped, 0, 'the script drains fd 3');
  return result;
}

/** Lag (samples) in [from, to) where `signal` best matches `reference` (normalised cross-correlation). */
function correlationPeak(signal: Int16Array, reference: Int16Array, from: number, to: number): number {
  let best = from;
  let bestScore = -Infinity;
  for (let lag = Math.max(0, from); lag < to; lag += 1) {
    let dot = 0;
    const n = Math.min(reference.length, signal.length - lag);
    for (let i = 0; i < n; i += 1) dot += (signal[lag + i] ?? 0) * (reference[i] ?? 0);
    if (dot > bestScore) { bestScore = dot; best = lag; }
  }
  return best;
}

/** Gain (dB) of `segment` relative to `reference` by least squares. */
function gainDb(segment: Int16Array, reference: Int16Array): number {
  let xy = 0;
  let xx = 0;
  for (let i = 0; i < reference.length; i += 1) { xy += (segment[i] ?? 0) * (reference[i] ?? 0); xx += (reference[i] ?? 0) ** 2; }
  return 20 * Math.log10(xy / xx);
}

test('echo: the played file comes back on fd 3 at the requested delay and loss, through mu-law', async () => {
  const delayMs = 100;
  const lossDb = 12;
  const result = await call('echo', [{ cmd: 'ANSWER' }, { cmd: `STREAM FILE ${soundPath} ""` }, { pauseMs: 500 }], { echo: { delayMs, lossDb } });
  const playback = result.playbacks[0];
  assert.ok(playback !== undefined && playback.how === 'completed', 'the sound played to its end');
  const timeline = fd3Timeline(result.fd3Frames, RATE);
  const startSample = Math.round((playback.startMs * RATE) / 1000);
  const expected = Math.round(((playback.startMs + delayMs) * RATE) / 1000);
  const peak = correlationPeak(timeline, played, startSample, startSample + RATE / 2);
  assert.ok(Math.abs(peak - expected) <= (2 * RATE) / 1000, `echo at ${((peak - startSample) / 8).toFixed(1)} ms after the playback started, want ${delayMs} ± 2 ms`);
  const echo = timeline.subarray(peak, peak + played.length);
  const level = gainDb(echo, played);
  assert.ok(Math.abs(level + lossDb) <= 1, `echo ${level.toFixed(2)} dB, want ${-lossDb} ± 1 dB`);
  assert.ok(Math.abs(rmsDbfs(echo) - (rmsDbfs(played) - lossDb)) <= 1, `echo level ${rmsDbfs(echo).toFixed(2)} dBFS`);
  // Before the echo arrives and after it ends, the line carries the (silent) caller only.
  assert.equal(Math.max(...timeline.subarray(0, expected).map(Math.abs)), 0, 'nothing before the echo');
  assert.equal(Math.max(...timeline.subarray(expected + played.length).map(Math.abs)), 0, 'nothing after the echo');
  assert.ok(timeline.length > expected + played.length + RATE / 10, 'fd 3 went on past the echo');
});

test('echo: an interrupted playback echoes only what was played, and the echo stops with it', async () => {
  const delayMs = 250;
  const lossDb = 6;
  const result = await call('echo-interrupted', [
    { cmd: 'ANSWER' },
    { overlap: { cmd1: `STREAM FILE ${soundPath} ""`, cmd2: 'NOOP', afterMs: 300 } },
    { pauseMs: 700 },
  ], { echo: { delayMs, lossDb } });
  const playback = result.playbacks[0];
  assert.ok(playback !== undefined && playback.how === 'interrupted', `playback ended: ${playback?.how}`);
  assert.ok(playback.samples.length > RATE * 0.1 && playback.samples.length < played.length, `played ${playback.samples.length} samples`);
  const timeline = fd3Timeline(result.fd3Frames, RATE);
  const expected = Math.round(((playback.startMs + delayMs) * RATE) / 1000);
  const end = expected + playback.samples.length;
  assert.ok(timeline.length > end + RATE / 5, 'fd 3 went on after the echo should have ended');
  const echo = timeline.subarray(expected, end);
  assert.ok(Math.abs(gainDb(echo, playback.samples) + lossDb) <= 1, 'what was played echoes at the loss');
  assert.equal(Math.max(...timeline.subarray(end).map(Math.abs)), 0, 'no echo of the part never played');
});

test('gaps: no fd 3 bytes at all for their duration; noise on every frame sent, caller speech or not', async () => {
  const caller = new Int16Array(RATE * 2);
  caller.set(generateNoise('white', RATE * 0.5, RATE, -20, 3), RATE / 2);
  const result = await call('gaps', [{ cmd: 'ANSWER' }, { pauseMs: 1500 }], {
    gaps: [{ atMs: 600, durationMs: 400 }, { atMs: 2500, durationMs: 200 }],
    noise: [{ kind: 'pink', levelDbfs: -30, seed: 2 }],
  }, caller);
  const sent = new Set(result.fd3Frames.map((frame) => frame.index));
  const inGap = (index: number) => (index >= 30 && index < 50) || (index >= 125 && index < 135);
  const last = Math.max(...sent);
  assert.ok(last > 140, `frames went on past the second gap (last ${last})`);
  for (let index = 0; index <= last; index += 1) assert.equal(sent.has(index), !inGap(index), `frame ${index} (${index * 20} ms)`);
  assert.equal(result.fd3BytesWritten, result.fd3Frames.length * 320, 'bytes written = frames recorded');
  const quiet = result.fd3Frames.filter((frame) => frame.index >= 50 && frame.index < 120 || frame.index < 25);
  const noise = new Int16Array(quiet.flatMap((frame) => [...frame.samples]));
  assert.ok(Math.abs(rmsDbfs(noise) + 30) < 1, `noise outside the speech at ${rmsDbfs(noise).toFixed(2)} dBFS`);
  assert.ok(rmsDbfs(fd3Timeline(result.fd3Frames, RATE).subarray(RATE / 2, RATE * 0.6)) > -21, 'the caller speech is there');
});
