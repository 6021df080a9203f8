import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EnergyConfidence } from '../../src/stt/confidence.ts';
import { Endpointer, type EndpointEvent } from '../../src/stt/endpointer.ts';
import { silence, tone } from '../../src/audio/pcm.ts';

/** Feed a script of confidences (one per 20 ms frame); return the events with their frame index. */
function run(endpointer: Endpointer, script: number[]): [number, EndpointEvent][] {
  const events: [number, EndpointEvent][] = [];
  script.forEach((confidence, index) => {
    const event = endpointer.update(confidence, 20);
    if (event !== undefined) events.push([index, event]);
  });
  return events;
}

const frames = (count: number, value: number) => Array<number>(count).fill(value);

test('short dips while STARTING are tolerated, speech time accumulates', () => {
  const endpointer = new Endpointer({ threshold: 0.5, startMs: 100, startGapMs: 40, stopMs: 200 });
  const events = run(endpointer, [0.9, 0.9, 0, 0.9, 0.9, 0, 0.9]);
  assert.deepEqual(events, [[6, { type: 'speech-start', atMs: 140, speechStartMs: 0 }]]);
  const strict = new Endpointer({ threshold: 0.5, startMs: 100, startGapMs: 20, stopMs: 200 });
  assert.deepEqual(run(strict, [0.9, 0.9, 0, 0.9, 0.9, 0, 0.9]), []);
});

test('QUIET -> STARTING -> SPEAKING -> STOPPING -> QUIET with ms thresholds', () => {
  const endpointer = new Endpointer({ threshold: 0.5, startMs: 100, stopMs: 200 });
  const events = run(endpointer, [...frames(5, 0), ...frames(10, 0.9), ...frames(12, 0.1)]);
  assert.deepEqual(events, [
    [9, { type: 'speech-start', atMs: 200, speechStartMs: 100 }],
    [24, { type: 'speech-end', atMs: 500, speechStartMs: 100, speechEndMs: 300 }],
  ]);
  assert.equal(endpointer.state, 'quiet');
});

test('a blip shorter than startMs and a pause shorter than stopMs change nothing', () => {
  const endpointer = new Endpointer({ threshold: 0.5, startMs: 100, startGapMs: 40, stopMs: 200 });
  const blip = run(endpointer, [...frames(4, 0.9), ...frames(3, 0)]);
  assert.deepEqual(blip, []);
  assert.equal(endpointer.state, 'quiet');
  const events = run(endpointer, [...frames(6, 0.9), ...frames(9, 0), ...frames(3, 0.9), ...frames(9, 0)]);
  assert.deepEqual(events.map(([, event]) => event.type), ['speech-start']);
  assert.equal(endpointer.state, 'stopping', 'the pause inside speech did not end it');
});

test('barge-in: the same machine with a higher threshold ignores quieter speech', () => {
  const energy = new EnergyConfidence({ speechDbfs: -40 });
  const bargeIn = new Endpointer({ threshold: energy.confidenceAt(-25), startMs: 300, stopMs: 100 });
  const turn = new Endpointer({ threshold: 0.5, startMs: 100, stopMs: 300 });
  const quiet = tone(300, 20, 8000, -35).subarray(40, 120);
  const loud = tone(300, 20, 8000, -15).subarray(40, 120);
  for (let i = 0; i < 20; i += 1) {
    assert.equal(bargeIn.update(energy.confidence(quiet), 20), undefined);
    turn.update(energy.confidence(quiet), 20);
  }
  assert.equal(turn.state, 'speaking', 'normal turn taking hears it');
  const events = [];
  for (let i = 0; i < 20; i += 1) events.push(bargeIn.update(energy.confidence(loud), 20));
  assert.equal(events.filter((event) => event?.type === 'speech-start').length, 1);
  assert.equal(events.findIndex((event) => event !== undefined), 14, 'fires after minBargeInMs of loud speech');
  assert.equal(energy.confidence(silence(20, 8000)), 0);
});
