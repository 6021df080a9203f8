import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { longReply } from '../../src/simulate/fake-ollama.ts';
import { CALLER_HUNG_UP, mainCommands, runCall } from './harness.ts';

/**
 * Command indexes the DTMF events hang on (0-based, in the order the program writes them):
 * 0 GET VARIABLE EAGI_AUDIO_FORMAT, 1 ANSWER, 2 STREAM FILE greeting, 3 WAIT FOR DIGIT,
 * 4 the interrupter that ends the wait when the caller spoke, 5 the reply's first STREAM FILE.
 */
const FIRST_WAIT = 3;
const FIRST_REPLY_PLAYBACK = 5;

describe('barge-in and DTMF', { concurrency: 3 }, () => {
  test('barge-in mid-reply: playback stopped by a new command, LLM request aborted, turn stored interrupted, barge-in speech is the next turn', async () => {
    const run = await runCall({
      caller: [8000, 'What time do you open?', 1800, 'Wait, stop, I have another question.', 4500],
      // 60 words at 40 ms a token: the reply is still streaming when the caller talks over it.
      replies: [longReply(60, { tokenDelayMs: 40 }), { content: 'Sure, go ahead.' }],
      hangupAfterAudioMs: 500,
    });
    const { context } = run;
    assert.equal(run.result.exitCode, 0, context);
    const firstReply = run.commands.indexOf('STREAM FILE [tts-0001] "#0" ~');
    assert.notEqual(firstReply, -1, `the first sentence's STREAM FILE was interrupted\n${context}`);
    assert.equal(run.commands[firstReply + 1], 'INTERRUPT', 'the interrupting command follows the STREAM FILE at once');
    const cut = run.result.playbacks.find((p) => p.file.includes('tts-0001'));
    assert.equal(cut?.how, 'interrupted', context);

    const chats = run.requests.filter((r) => r.path === '/api/chat' && (r.body as { messages: unknown[] }).messages.length > 0);
    assert.equal(chats.length, 2, context);
    assert.equal(chats[0]?.clientAborted, true, 'the streaming LLM request was aborted');
    assert.equal(chats[1]?.clientAborted, false);

    assert.deepEqual(run.turns.map((t) => [t.role, t.interrupted]), [['bot', 0], ['caller', 0], ['bot', 1], ['caller', 0], ['bot', 0]], context);
    const interrupted = run.turns[2];
    assert.ok(interrupted?.played_text !== null && interrupted?.played_text !== undefined, context);
    assert.ok(interrupted.played_text.length < interrupted.text.length, 'played_text is shorter than the reply');
    assert.ok(interrupted.text.startsWith(interrupted.played_text), 'played_text is a prefix of the reply');
    assert.match(run.turns[3]?.text ?? '', /^hello( hello)*$/, 'the barge-in speech is the next caller turn');
    assert.equal(run.turns[4]?.text, 'Sure, go ahead.');
    assert.ok(run.events.some((e) => e.kind === 'barge_in'), context);
    assert.match(run.transcript[2]?.text ?? '', /\[interrupted; full reply: /);

    const history = (chats[1]?.body as { messages: { role: string; content: string }[] }).messages;
    const told = history.filter((m) => m.role === 'assistant').map((m) => m.content).join(' ');
    assert.ok(!told.includes(interrupted.text), 'the model is told what was heard, not the whole reply');
  });

  test('operator key while listening: VOICEBOT_ACTION=transfer, VOICEBOT_TRANSFER_TO=operator', async () => {
    const run = await runCall({
      caller: [6000],
      events: [{ action: 'dtmf', digits: '0', afterCommand: FIRST_WAIT, phase: 'received', delayMs: 600 }],
      hangupAfterAudioMs: 2000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.deepEqual(run.commands, [
      'GET VARIABLE EAGI_AUDIO_FORMAT',
      'ANSWER',
      'STREAM FILE [greeting] "0"',
      'WAIT FOR DIGIT 9000',
      'SET VARIABLE VOICEBOT_ACTION "transfer"',
      'SET VARIABLE VOICEBOT_STATUS "TRANSFER"',
      'SET VARIABLE VOICEBOT_TRANSFER_TO "operator"',
    ], run.context);
    assert.equal(run.call.end_reason, 'operator_key');
    assert.equal(run.call.outcome, 'transfer:operator');
    assert.ok(run.events.some((e) => e.kind === 'dtmf' && e.detail === '0'), run.context);
  });

  test('operator key during the greeting transfers at once', async () => {
    const run = await runCall({
      caller: [5000],
      settings: { greeting: 'Hello and welcome to the demo line of a company with a very long greeting.' },
      events: [{ action: 'dtmf', digits: '0', afterCommand: 2, phase: 'received', delayMs: 400 }],
      hangupAfterAudioMs: 2000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.deepEqual(mainCommands(run.commands), [
      'ANSWER', 'STREAM FILE [greeting] "0"',
      'SET VARIABLE VOICEBOT_ACTION "transfer"', 'SET VARIABLE VOICEBOT_STATUS "TRANSFER"', 'SET VARIABLE VOICEBOT_TRANSFER_TO "operator"',
    ], run.context);
    assert.equal(run.result.playbacks[0]?.how, 'digit', 'the key stopped the greeting');
  });

  test('operator key during the bot reply: playback stops, LLM aborted, VOICEBOT_ACTION=transfer', async () => {
    const run = await runCall({
      caller: [8000, 'Tell me everything.', 6000],
      replies: [longReply(48, { tokenDelayMs: 30 })],
      events: [{ action: 'dtmf', digits: '0', afterCommand: FIRST_REPLY_PLAYBACK, phase: 'received', delayMs: 600 }],
      hangupAfterAudioMs: 2000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.deepEqual(mainCommands(run.commands), [
      'ANSWER', 'STREAM FILE [greeting] "0"', 'STREAM FILE [tts-0001] "#0"',
      'SET VARIABLE VOICEBOT_ACTION "transfer"', 'SET VARIABLE VOICEBOT_STATUS "TRANSFER"', 'SET VARIABLE VOICEBOT_TRANSFER_TO "operator"',
    ], run.context);
    assert.equal(run.result.playbacks.find((p) => p.file.includes('tts-0001'))?.how, 'digit');
    assert.equal(run.call.end_reason, 'operator_key');
    const bot = run.turns.at(-1);
    assert.equal(bot?.role, 'bot', run.context);
    assert.equal(bot?.interrupted, 1, 'the reply the caller cut off is stored as interrupted');
    assert.equal(bot?.dtmf, '0', 'the key is stored with the turn');
    assert.ok(bot?.played_text !== null && (bot?.played_text?.length ?? 0) < (bot?.text.length ?? 0), run.context);
    assert.ok(!run.events.some((e) => e.kind === 'barge_in'), 'a key press is not a barge-in');
    const chat = run.requests.filter((r) => r.path === '/api/chat').at(-1);
    assert.equal(chat?.clientAborted, true, 'the LLM request was aborted');
  });

  test('skip key skips the current sentence; playback goes on with the next', async () => {
    const run = await runCall({
      caller: [8000, 'What can you do?', 9000],
      replies: [{ content: 'This first sentence is rather long and the caller will skip it. Here is the second one.' }],
      events: [{ action: 'dtmf', digits: '#', afterCommand: FIRST_REPLY_PLAYBACK, phase: 'received', delayMs: 500 }],
      hangupAfterAudioMs: 500,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.deepEqual(mainCommands(run.commands), ['ANSWER', 'STREAM FILE [greeting] "0"', 'STREAM FILE [tts-0001] "#0"', 'STREAM FILE [tts-0002] "#0"', ...CALLER_HUNG_UP], run.context);
    const [first, second] = run.result.playbacks.filter((p) => p.file.includes('/tts-'));
    assert.equal(first?.how, 'digit', 'the first sentence was stopped by #');
    assert.equal(second?.how, 'completed', 'the second sentence played to its end');
    const bot = run.turns.find((t) => t.role === 'bot' && t.seq > 1);
    assert.equal(bot?.text, 'This first sentence is rather long and the caller will skip it. Here is the second one.');
    assert.equal(bot?.interrupted, 0, 'a skipped sentence does not make the turn interrupted');
    assert.equal(bot?.dtmf, '#', 'the key is stored with the turn');
    assert.equal(run.call.end_reason, 'caller_hangup');
  });
});
