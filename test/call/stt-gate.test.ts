import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AudioFrame } from '../../src/audio/pcm.ts';
import { SttGate } from '../../src/call/adapters/stt-gate.ts';
import type { SttInput } from '../../src/stt/engine.ts';

/** 20 ms frames at 8 kHz whose first sample is their index, so the test can tell which passed. */
function frame(index: number): AudioFrame {
  const samples = new Int16Array(160);
  samples[0] = index;
  return { samples, sampleRateHz: 8000, capturedAtMs: index * 20 } as AudioFrame;
}

function record(): { gate: SttGate; seen: string[] } {
  const seen: string[] = [];
  const gate = new SttGate((input: SttInput) => seen.push(input.type === 'audio' ? `a${input.frame.samples[0]}` : input.type));
  return { gate, seen };
}

test('nothing reaches the transcriber between turns', () => {
  const { gate, seen } = record();
  for (let i = 0; i < 200; i += 1) gate.audio(frame(i));
  assert.deepEqual(seen, []);
});

test('a turn gets the audio from 300 ms before the detected start, then every frame until it ends', () => {
  const { gate, seen } = record();
  for (let i = 0; i < 50; i += 1) gate.audio(frame(i)); // 0..1000 ms
  gate.turnStart(800); // the detector places the start of speech at 800 ms
  for (let i = 50; i < 55; i += 1) gate.audio(frame(i));
  gate.turnEnd();
  for (let i = 55; i < 60; i += 1) gate.audio(frame(i));
  // Frames ending after 500 ms: frame 25 (500-520 ms) on.
  const expected = ['turn-start', ...Array.from({ length: 25 }, (_, k) => `a${25 + k}`), 'a50', 'a51', 'a52', 'a53', 'a54', 'turn-end'];
  assert.deepEqual(seen, expected);
});

test('only the last 1.5 s are kept while no turn is open', () => {
  const { gate, seen } = record();
  for (let i = 0; i < 500; i += 1) gate.audio(frame(i)); // 10 s of quiet line
  gate.turnStart(0); // a start far in the past: everything kept goes, and no more than was kept
  const audio = seen.filter((s) => s.startsWith('a'));
  assert.equal(audio.length, 75, '1.5 s of 20 ms frames');
  assert.equal(audio[0], 'a425');
  assert.equal(audio.at(-1), 'a499');
});

test('a second turn starts from its own lead, not from audio the first turn already had', () => {
  const { gate, seen } = record();
  for (let i = 0; i < 20; i += 1) gate.audio(frame(i));
  gate.turnStart(300);
  for (let i = 20; i < 30; i += 1) gate.audio(frame(i));
  gate.turnEnd();
  seen.length = 0;
  for (let i = 30; i < 100; i += 1) gate.audio(frame(i)); // 600..2000 ms, between turns
  gate.turnStart(1800);
  assert.deepEqual(seen, ['turn-start', ...Array.from({ length: 25 }, (_, k) => `a${75 + k}`)]);
});
