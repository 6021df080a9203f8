import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatSamples, rmsDbfs, tone } from '../../src/audio/pcm.ts';
import { resample, Resampler } from '../../src/audio/resample.ts';
import { VoicebotError } from '../../src/errors.ts';
import { levelAtDbfs, middle } from './signal.ts';

const conversions = [[22050, 8000], [16000, 8000], [22050, 16000], [8000, 16000], [16000, 22050]] as const;

test('a tone keeps its frequency and level through every conversion', () => {
  for (const [fromHz, toHz] of conversions) {
    for (const frequencyHz of [300, 1000, 3000]) {
      const out = middle(resample(tone(frequencyHz, 1000, fromHz, -12), fromHz, toHz));
      assert.ok(Math.abs(rmsDbfs(out) - -12) < 0.3, `${fromHz}->${toHz} ${frequencyHz} Hz level ${rmsDbfs(out)}`);
      assert.ok(Math.abs(levelAtDbfs(out, frequencyHz, toHz) - -12) < 0.3, `${fromHz}->${toHz} ${frequencyHz} Hz is still at ${frequencyHz} Hz`);
    }
  }
});

test('tones above the new Nyquist frequency are removed, not aliased', () => {
  for (const [fromHz, frequencyHz] of [[22050, 4500], [22050, 6000], [22050, 10000], [16000, 5000], [16000, 7000]] as const) {
    const out = middle(resample(tone(frequencyHz, 1000, fromHz, -3), fromHz, 8000));
    assert.ok(rmsDbfs(out) < -70, `${frequencyHz} Hz at ${fromHz} Hz leaves ${rmsDbfs(out).toFixed(1)} dBFS at 8 kHz`);
    assert.ok(levelAtDbfs(out, 8000 - frequencyHz, 8000) < -70, 'no alias image');
  }
});

test('upsampling 8 kHz adds no images above 4 kHz', () => {
  const out = middle(resample(tone(1000, 1000, 8000, -6), 8000, 16000));
  assert.ok(levelAtDbfs(out, 7000, 16000) < -70, `image at 7 kHz: ${levelAtDbfs(out, 7000, 16000)}`);
});

test('output length follows the ratio and streaming in 20 ms chunks equals one batch', () => {
  const input = concatSamples([tone(440, 333, 22050, -10), tone(2000, 250, 22050, -20)]);
  const batch = resample(input, 22050, 8000);
  assert.equal(batch.length, Math.ceil((input.length * 8000) / 22050));
  const streaming = new Resampler(22050, 8000);
  const parts: Int16Array[] = [];
  for (let i = 0; i < input.length; i += 441) parts.push(streaming.process(input.subarray(i, i + 441)));
  parts.push(streaming.flush());
  assert.deepEqual(concatSamples(parts), batch);
  assert.deepEqual(resample(input, 22050, 22050), input, 'same rate is a copy');
});

test('a bad rate is a typed error', () => {
  assert.throws(() => new Resampler(0, 8000), (error: unknown) => error instanceof VoicebotError && error.code === 'AUDIO_RATE');
  assert.throws(() => new Resampler(8000, 11025.5), /toHz must be a positive whole number/);
});
