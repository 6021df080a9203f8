import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedTestdata } from '../support/paths.ts';
import { runCall } from './harness.ts';

const testdata = sharedTestdata();
const voice = testdata === undefined ? undefined : join(testdata, 'piper-dummy', 'test_voice.onnx');
const skip = voice !== undefined && existsSync(voice) ? false
  : 'piper-dummy test voice not found (set VOICEBOT_TESTDATA_DIR or place shared/testdata beside the repo)';

test('a call speaks through a real Piper voice on sherpa-onnx: greeting and reply rendered to .sln by the real engine', { skip }, async () => {
  const run = await runCall({
    caller: [8000, 'What time do you open tomorrow?', 4000],
    replies: [{ content: 'We open at nine. See you then.' }],
    settings: { voice_engine: 'piper', piper_voice: voice ?? '' },
    hangupAfterAudioMs: 500,
  });
  assert.equal(run.result.exitCode, 0, run.context);
  const plays = run.result.commands.filter((c) => c.cmd.startsWith('STREAM FILE')).map((c) => c.cmd.split(' ')[2] ?? '');
  assert.ok(plays.length >= 3, `greeting and two reply sentences played\n${run.context}`);
  assert.match(plays[0] ?? '', /\/phrases\//, 'the greeting comes from the phrase cache');
  for (const file of plays) {
    // The dummy voice speaks silence; what matters is that the real engine's output became 8 kHz slin.
    const bytes = statSync(`${file}.sln`).size;
    assert.ok(bytes > 0 && bytes % 2 === 0, `${file}.sln holds 16-bit samples (${bytes} bytes)`);
  }
  assert.equal(run.call.voice, voice);
  assert.deepEqual(run.turns.map((turn) => turn.role), ['bot', 'caller', 'bot']);
  assert.match(run.log, /\[TTS\] .*voice loaded/);
});
