import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCall } from './harness.ts';

test('fd 3 goes quiet right after the caller speaks (VAD/DTX leg): the utterance still ends and is answered', async () => {
  const run = await runCall({
    caller: [8000, 'What time do you open tomorrow?'],
    afterCallerAudio: 'nothing',
    replies: [{ content: 'We open at nine.' }],
    events: [{ action: 'hangup', atMs: 14_000 }],
  });
  assert.equal(run.result.exitCode, 0, run.context);
  assert.ok(run.commands.some((cmd) => cmd.startsWith('STREAM FILE [tts-0001]')), `the reply was played\n${run.context}`);
  assert.deepEqual(run.turns.map((turn) => turn.role).slice(0, 3), ['bot', 'caller', 'bot'], run.context);
});
