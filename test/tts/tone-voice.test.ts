import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesToSamplesStrict, rmsDbfs } from '../../src/audio/pcm.ts';
import { VoicebotError } from '../../src/errors.ts';
import { SpeechRenderer } from '../../src/tts/render.ts';
import { TONE_MS_PER_CHAR, ToneTestVoice } from '../../src/tts/tone-test-voice.ts';

test('the tone test voice is labelled, and its length follows the text length', async () => {
  const voice = new ToneTestVoice();
  assert.match(voice.name, /TEST ENGINE/);
  const short = await voice.synthesize('Hi there.');
  const long = await voice.synthesize('Hi there, this is a much longer sentence to speak.');
  const ms = (samples: Int16Array) => (samples.length * 1000) / voice.sampleRateHz;
  assert.ok(ms(long.samples) > 4 * ms(short.samples));
  assert.ok(Math.abs(ms(short.samples) - (8 * TONE_MS_PER_CHAR + 2 * 40)) < 2, `${ms(short.samples)} ms`);
  assert.ok(rmsDbfs(short.samples) > -25, 'audible');
  await assert.rejects(voice.synthesize(''), (error: unknown) => error instanceof VoicebotError && error.code === 'TTS_EMPTY_TEXT');
});

test('the tone test voice renders through the same file pipeline', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-tone-'));
  try {
    const renderer = new SpeechRenderer({ engine: new ToneTestVoice(), cacheDir: dir, callId: 'sim-1' });
    const rendered = await renderer.render('Hello caller.');
    const samples = bytesToSamplesStrict(readFileSync(rendered.filePath));
    assert.equal(rendered.filePath, join(dir, 'calls', 'sim-1', 'tts-0001.sln'));
    assert.ok(Math.abs(rendered.durationMs - (samples.length / 8)) < 0.001);
    assert.ok(rmsDbfs(samples) > -25);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
