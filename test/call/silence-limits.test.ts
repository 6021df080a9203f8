import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mainCommands, runCall } from './harness.ts';

const GOODBYE_END = [
  'STREAM FILE [goodbye] "#0"',
  'SET VARIABLE VOICEBOT_ACTION "hangup"',
  'SET VARIABLE VOICEBOT_STATUS "OK"',
  'SET VARIABLE VOICEBOT_TRANSFER_TO ""',
];

describe('silence and limits', { concurrency: 3 }, () => {
  test('silence: reprompt after silence_reprompt_seconds, goodbye after max_reprompts', async () => {
    const run = await runCall({
      caller: [1000],
      settings: { silence_reprompt_seconds: 1, max_reprompts: 1 },
      hangupAfterAudioMs: 30_000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.deepEqual(mainCommands(run.commands), ['ANSWER', 'STREAM FILE [greeting] "0"', 'STREAM FILE [reprompt] "#0"', ...GOODBYE_END], run.context);
    // At least one WAIT FOR DIGIT per silence (timeScale shortens Asterisk's wait, not voicebot's).
    assert.ok(run.commands.filter((c) => c.startsWith('WAIT FOR DIGIT')).length >= 2, 'listened twice');
    assert.equal(run.call.end_reason, 'silence');
    assert.equal(run.events.filter((e) => e.kind === 'silence').length, 2);
  });

  test('speech after a reprompt resets the count', async () => {
    const run = await runCall({
      caller: [2500, 'Sorry, I am here.', 9000],
      replies: [{ content: 'No problem.' }],
      settings: { silence_reprompt_seconds: 1, max_reprompts: 1 },
      timeScale: 1,
      hangupAfterAudioMs: 30_000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    const main = mainCommands(run.commands);
    assert.ok(main.includes('STREAM FILE [tts-0001] "#0"'), run.context);
    assert.deepEqual(main.slice(-4), GOODBYE_END, run.context);
    assert.equal(main.filter((c) => c.includes('[reprompt]')).length, 1, 'one reprompt after the reply, then goodbye');
    assert.equal(run.call.end_reason, 'silence');
  });

  test('max_turns: goodbye after the last allowed turn is answered', async () => {
    const run = await runCall({
      caller: [8000, 'First question here.', 3500, 'Second question here.', 3000],
      replies: [{ content: 'First answer.' }, { content: 'Second answer.' }],
      settings: { max_turns: 1 },
      hangupAfterAudioMs: 6000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.deepEqual(mainCommands(run.commands), ['ANSWER', 'STREAM FILE [greeting] "0"', 'STREAM FILE [tts-0001] "#0"', ...GOODBYE_END], run.context);
    assert.equal(run.call.end_reason, 'max_turns');
    assert.deepEqual(run.turns.map((t) => t.role), ['bot', 'caller', 'bot']);
  });

  test('max_call_seconds: goodbye when the limit is reached, even while listening', async () => {
    const run = await runCall({
      caller: [1000],
      settings: { max_call_seconds: 10, silence_reprompt_seconds: 60 },
      timeScale: 1,
      hangupAfterAudioMs: 40_000,
      killAfterMs: 40_000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.deepEqual(mainCommands(run.commands), ['ANSWER', 'STREAM FILE [greeting] "0"', ...GOODBYE_END], run.context);
    assert.equal(run.call.end_reason, 'max_call_seconds');
    const goodbyeAt = run.result.commands.find((c) => c.cmd.startsWith('STREAM FILE') && c.cmd.includes('phrases') && c.t_ms > 5000)?.t_ms ?? 0;
    assert.ok(goodbyeAt > 9000 && goodbyeAt < 16_000, `goodbye near the limit (at ${goodbyeAt} ms call time)`);
  });
  test('max_call_seconds also ends a long reply: the sentence playing is cut, then goodbye', async () => {
    const words = Array.from({ length: 60 }, (_, i) => `This is sentence number ${i + 1} of a very long answer.`).join(' ');
    const run = await runCall({
      caller: [8000, 'Tell me everything.', 500],
      replies: [{ content: words }],
      settings: { max_call_seconds: 10, silence_reprompt_seconds: 60 },
      timeScale: 1,
      hangupAfterAudioMs: 40_000,
      killAfterMs: 40_000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.equal(run.call.end_reason, 'max_call_seconds', run.context);
    const reply = run.turns.find((turn) => turn.role === 'bot' && turn.seq > 1);
    assert.equal(reply?.interrupted, 1, 'the long reply is stored as cut off');
    assert.ok((reply?.played_text ?? '').length < words.length, 'only what was played is in played_text');
    const goodbyeAt = run.result.commands.filter((c) => c.cmd.startsWith('STREAM FILE') && c.cmd.includes('phrases')).at(-1)?.t_ms ?? 0;
    assert.ok(goodbyeAt > 9000 && goodbyeAt < 16_000, `goodbye near the limit (at ${goodbyeAt} ms call time)\n${run.context}`);
  });
});
