import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { longReply } from '../../src/simulate/fake-ollama.ts';
import { runCall, type CallRun } from './harness.ts';

/** The caller hangs up: exit 0 at once, the row closed as caller_hangup, nothing left running. */
function assertHungUp(run: CallRun): void {
  const { context } = run;
  assert.equal(run.result.killed, false, context);
  assert.equal(run.result.exitCode, 0, context);
  assert.notEqual(run.result.hangupAtMs, undefined, 'the caller hung up while voicebot ran');
  assert.ok((run.result.exitAfterHangupRealMs ?? Infinity) < 3000, `exited ${run.result.exitAfterHangupRealMs?.toFixed(0)} ms after the hangup\n${context}`);
  assert.deepEqual(run.result.leftoverPids, [], 'no process left');
  assert.equal(run.call.end_reason, 'caller_hangup', context);
  assert.equal(run.call.status, 'CALLER_HANGUP');
  assert.ok(run.call.ended_at !== null, 'call row closed');
  // SET VARIABLE is dead-capable: the h extension can read why the call ended.
  assert.equal(run.variables['VOICEBOT_STATUS'], 'CALLER_HANGUP', context);
  assert.equal(run.variables['VOICEBOT_ACTION'], 'none', context);
  assert.doesNotMatch(run.log, /internal error|call failed/, context);
}

describe('caller hangup in each phase', { concurrency: 3 }, () => {
  test('during the greeting', async () => {
    const run = await runCall({
      caller: [4000],
      settings: { greeting: 'Hello and welcome to the demo line of a company with a very long greeting.' },
      events: [{ action: 'hangup', afterCommand: 2, phase: 'received', delayMs: 400 }],
    });
    assertHungUp(run);
    assert.equal(run.result.playbacks[0]?.how, 'hangup', 'the greeting was cut by the hangup');
    assert.ok(run.call.answered_at !== null);
  });

  test('while listening', async () => {
    const run = await runCall({
      caller: [5000],
      events: [{ action: 'hangup', afterCommand: 3, phase: 'received', delayMs: 600 }],
    });
    assertHungUp(run);
    assert.deepEqual(run.turns.map((t) => t.role), ['bot'], 'the greeting turn is stored');
  });

  test('while waiting for the language model', async () => {
    const run = await runCall({
      caller: [8000, 'What are your opening hours?', 4000],
      replies: [{ content: 'Too late.', firstTokenDelayMs: 8000 }],
      // Index 4: the interrupter that ends the WAIT FOR DIGIT once the caller's turn is heard.
      events: [{ action: 'hangup', afterCommand: 4, phase: 'replied', delayMs: 600 }],
    });
    assertHungUp(run);
    assert.deepEqual(run.turns.map((t) => t.role), ['bot', 'caller'], 'greeting and caller turn stored');
    const chat = run.requests.filter((r) => r.path === '/api/chat').at(-1);
    assert.equal(chat?.clientAborted, true, 'the LLM request was aborted');
  });

  test('during the bot reply', async () => {
    const run = await runCall({
      caller: [8000, 'Tell me a long story.', 6000],
      replies: [longReply(48, { tokenDelayMs: 20 })],
      events: [{ action: 'hangup', afterCommand: 5, phase: 'received', delayMs: 700 }],
    });
    assertHungUp(run);
    assert.equal(run.result.playbacks.find((p) => p.file.includes('tts-0001'))?.how, 'hangup');
    assert.deepEqual(run.turns.map((t) => t.role), ['bot', 'caller', 'bot'], `the reply cut by the hangup is stored\n${run.context}`);
    const reply = run.turns[2];
    assert.equal(reply?.interrupted, 1, 'stored as interrupted');
    assert.ok((reply?.played_text ?? '').length < (reply?.text ?? '').length);
  });
});
