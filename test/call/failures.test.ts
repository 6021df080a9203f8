import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { mainCommands, runCall, type CallRun } from './harness.ts';

/** What every language-model failure must look like: apology, LLM_FAILED handoff, row closed, exit 0. */
function assertLlmHandoff(run: CallRun): void {
  const { context } = run;
  assert.equal(run.result.exitCode, 0, context);
  assert.equal(run.result.killed, false, context);
  assert.deepEqual(mainCommands(run.commands), [
    'ANSWER',
    'STREAM FILE [greeting] "0"',
    'STREAM FILE [apology] "#0"',
    'SET VARIABLE VOICEBOT_ACTION "handoff"',
    'SET VARIABLE VOICEBOT_STATUS "LLM_FAILED"',
    'SET VARIABLE VOICEBOT_TRANSFER_TO ""',
  ], context);
  assert.equal(run.result.playbacks.find((p) => p.file.includes('/phrases/') && p !== run.result.playbacks[0])?.how, 'completed', 'the apology played to its end');
  assert.deepEqual(run.variables, { VOICEBOT_ACTION: 'handoff', VOICEBOT_STATUS: 'LLM_FAILED', VOICEBOT_TRANSFER_TO: '' });
  assert.equal(run.call.end_reason, 'llm_failed', context);
  assert.equal(run.call.status, 'LLM_FAILED');
  assert.equal(run.call.outcome, 'handoff');
  assert.ok(run.call.ended_at !== null);
  assert.deepEqual(run.turns.map((t) => t.role), ['bot', 'caller'], 'greeting and the caller turn are stored');
  assert.ok(run.events.some((e) => e.kind === 'error' && e.detail?.startsWith('LLM_FAILED')), context);
  assert.equal(run.result.hangupAtMs, undefined, 'voicebot handed the call back before the caller hung up');
}

const CALLER = [8000, 'Can you help me with my order?', 6000];

describe('failures', { concurrency: 3 }, () => {
  test('Ollama unreachable: apology, VOICEBOT_STATUS=LLM_FAILED, handoff', async () => {
    assertLlmHandoff(await runCall({ caller: CALLER, ollama: 'unreachable', hangupAfterAudioMs: 4000 }));
  });

  test('Ollama hangs before the first token: first-token timeout, then the same handoff', async () => {
    const run = await runCall({
      caller: CALLER,
      replies: [{ content: 'never sent', failure: 'hang-before-first-token' }],
      settings: { llm_first_token_timeout_ms: 600 },
      hangupAfterAudioMs: 4000,
    });
    assertLlmHandoff(run);
    assert.match(run.events.find((e) => e.kind === 'error')?.detail ?? '', /LLM_TIMEOUT/);
    const chat = run.requests.filter((r) => r.path === '/api/chat').at(-1);
    assert.equal(chat?.clientAborted, true, 'the hanging request was closed');
  });

  test('Ollama answers HTTP 500: the same handoff', async () => {
    assertLlmHandoff(await runCall({ caller: CALLER, replies: [{ failure: 'http-500' }], hangupAfterAudioMs: 4000 }));
  });

  test('reply breaks mid-stream after a sentence was spoken: apology after what was said, handoff', async () => {
    const run = await runCall({
      caller: CALLER,
      replies: [{ content: 'Let me check that. One more word here and more', failure: 'disconnect-mid-stream', failAfterTokens: 6, tokenDelayMs: 20 }],
      hangupAfterAudioMs: 4000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    // The finished sentence is spoken; the broken-off words after it are not.
    assert.deepEqual(mainCommands(run.commands), [
      'ANSWER', 'STREAM FILE [greeting] "0"', 'STREAM FILE [tts-0001] "#0"', 'STREAM FILE [apology] "#0"',
      'SET VARIABLE VOICEBOT_ACTION "handoff"', 'SET VARIABLE VOICEBOT_STATUS "LLM_FAILED"', 'SET VARIABLE VOICEBOT_TRANSFER_TO ""',
    ], run.context);
    const reply = run.turns.at(-1);
    assert.match(reply?.text ?? '', /^Let me check that\. One/, 'what was generated is stored');
    assert.equal(reply?.audio_path?.split(' ').length, 1);
    assert.equal(run.call.end_reason, 'llm_failed');
  });

  test('preflight: a missing model folder leaves the call unanswered with VOICEBOT_STATUS=ERROR', async () => {
    const run = await runCall({
      caller: [3000],
      settings: { vosk_model_dir: join('/nonexistent', 'vosk-model') },
      hangupAfterAudioMs: 2000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.ok(!run.commands.includes('ANSWER'), 'never answered');
    assert.deepEqual(run.commands.filter((c) => c.startsWith('SET VARIABLE')), [
      'SET VARIABLE VOICEBOT_STATUS "ERROR"',
      'SET VARIABLE VOICEBOT_ACTION "handoff"',
    ], run.context);
    assert.match(run.log, /vosk_model_dir|nonexistent/, 'the log names the problem');
    assert.equal(run.result.hangupAtMs, undefined, 'voicebot returned to the dialplan by itself');
    assert.equal(run.call.end_reason, 'setup_error', 'the refused call is in the call log');
    assert.equal(run.call.status, 'ERROR');
    assert.ok(run.events.some((event) => event.kind === 'error' && /vosk/.test(event.detail ?? '')), run.context);
  });
});
