import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToSamplesStrict, floatToInt16, rmsDbfs, samplesAsBytes, silence, tone } from '../../src/audio/pcm.ts';
import { VoicebotError } from '../../src/errors.ts';

test('rmsDbfs: a full-scale sine is -3 dBFS, tone() honours its level, silence is -Infinity', () => {
  const full = new Int16Array(8000).map((_, i) => Math.round(32767 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
  assert.ok(Math.abs(rmsDbfs(full) - -3.01) < 0.05);
  assert.ok(Math.abs(rmsDbfs(tone(1000, 1000, 8000, -20).subarray(100, 7900)) - -20) < 0.05);
  assert.equal(rmsDbfs(silence(20, 8000)), Number.NEGATIVE_INFINITY);
  assert.equal(silence(20, 8000).length, 160);
});

test('odd-length PCM is a typed error naming the source; even length round-trips', () => {
  assert.throws(() => bytesToSamplesStrict(new Uint8Array(321), 'fd 3 chunk'), (error: unknown) =>
    error instanceof VoicebotError && error.code === 'AUDIO_ODD_LENGTH' && /fd 3 chunk: 321 bytes/.test(error.message));
  const samples = Int16Array.from([0, 1, -1, 32767, -32768]);
  assert.deepEqual(bytesToSamplesStrict(samplesAsBytes(samples)), samples);
});

test('floatToInt16 scales and clamps', () => {
  assert.deepEqual(floatToInt16(Float32Array.from([0, 0.5, -0.5, 2, -2])), Int16Array.from([0, 16384, -16383, 32767, -32768]));
});
