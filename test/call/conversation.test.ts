import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { readWav } from '../../src/audio/wav.ts';
import { LISTEN_SOUND_NAME, LISTEN_SOUND_SECONDS } from '../../src/call/listen-sound.ts';
import { CALLER_HUNG_UP, LISTEN, mainCommands, runCall } from './harness.ts';

/**
 * Whole calls of the real program (child process) through the fake Asterisk: espeak-ng caller
 * speech, the generated tiny Vosk model (it hears "hello" per stretch of speech), the tone voice
 * and a scripted fake Ollama on 127.0.0.1. Each test reads as a script: given the caller audio
 * and the replies, these commands are written and these rows are stored.
 */
describe('conversation', { concurrency: 3 }, () => {
  test('greeting right after ANSWER, two turns, end_call: turns, timings, transcript view, variables, call row', async () => {
    const run = await runCall({
      caller: [8000, 'What time do you open on Saturday?', 3500, 'Thank you, that is all.', 4000],
      replies: [
        { content: 'We open at nine. We close at five.' },
        { content: 'You are welcome, goodbye.', toolCalls: [{ name: 'end_call', arguments: { reason: 'caller is done' } }] },
      ],
      hangupAfterAudioMs: 3000,
    });
    const { context } = run;
    assert.equal(run.result.exitCode, 0, context);
    assert.deepEqual(run.commands, [
      'GET VARIABLE EAGI_AUDIO_FORMAT',
      'ANSWER',
      'STREAM FILE [greeting] "0"',
      `${LISTEN} ~`,
      'INTERRUPT',
      'STREAM FILE [tts-0001] "#0"',
      'STREAM FILE [tts-0002] "#0"',
      'VERBOSE',
      `${LISTEN} ~`,
      'INTERRUPT',
      'STREAM FILE [tts-0003] "#0"',
      'SET VARIABLE VOICEBOT_ACTION "hangup"',
      'SET VARIABLE VOICEBOT_STATUS "OK"',
      'SET VARIABLE VOICEBOT_TRANSFER_TO ""',
    ], context);
    assert.equal(run.result.hangupAtMs, undefined, 'the bot ended the call before the caller hung up');
    assert.deepEqual(run.variables, { VOICEBOT_ACTION: 'hangup', VOICEBOT_STATUS: 'OK', VOICEBOT_TRANSFER_TO: '' });

    assert.deepEqual(run.turns.map((t) => [t.seq, t.role, t.role === 'bot' ? t.text : '(caller)']), [
      [1, 'bot', 'Hello, how can I help you?'],
      [2, 'caller', '(caller)'],
      [3, 'bot', 'We open at nine. We close at five.'],
      [4, 'caller', '(caller)'],
      [5, 'bot', 'You are welcome, goodbye.'],
    ], context);
    for (const caller of run.turns.filter((t) => t.role === 'caller')) {
      assert.match(caller.text, /^hello( hello)*$/, 'the tiny model hears "hello" per stretch of speech');
      assert.ok(caller.stt_ms !== null && caller.stt_ms >= 0, 'stt_ms stored');
    }
    for (const bot of run.turns.filter((t) => t.role === 'bot' && t.seq > 1)) {
      assert.ok(bot.llm_first_token_ms !== null && bot.llm_total_ms !== null && bot.tts_ms !== null && bot.first_audio_ms !== null, `timings of turn ${bot.seq}`);
      assert.ok(bot.llm_total_ms >= bot.llm_first_token_ms, 'total >= first token');
      assert.ok(bot.first_audio_ms >= 0);
      assert.equal(bot.interrupted, 0);
      assert.ok(bot.audio_path !== null && bot.audio_path.split(' ').every((path) => existsSync(`${path}.sln`)), 'audio files exist');
    }
    assert.equal(run.turns[2]?.audio_path?.split(' ').length, 2, 'two sentences, two files');
    assert.ok(run.turns[0]?.audio_path?.includes('/phrases/'), 'greeting from the phrase cache');

    assert.deepEqual(run.transcript.map((row) => row.who), ['BOT', 'CALLER', 'BOT', 'CALLER', 'BOT']);
    assert.equal(run.transcript[2]?.text, 'We open at nine. We close at five.');
    assert.equal(run.call.end_reason, 'bot_goodbye');
    assert.equal(run.call.status, 'OK');
    assert.equal(run.call.outcome, 'hangup');
    assert.ok(run.call.answered_at !== null && run.call.ended_at !== null);
    assert.deepEqual(run.events.map((e) => e.kind), ['end_call']);

    const chats = run.requests.filter((r) => r.path === '/api/chat' && (r.body as { messages: unknown[] }).messages.length > 0);
    assert.equal(chats.length, 2);
    const second = (chats[1]?.body as { messages: { role: string; content: string }[] }).messages;
    assert.ok(second.some((m) => m.role === 'assistant' && m.content.includes('We open at nine.')), 'history carries the first reply');
  });

  test('transfer_call tool to a whitelisted destination: the reply is spoken, then VOICEBOT_ACTION=transfer with the target', async () => {
    const run = await runCall({
      caller: [8000, 'Put me through to sales please.', 6000],
      replies: [{ content: 'Connecting you to sales.', toolCalls: [{ name: 'transfer_call', arguments: { destination: 'sales' } }] }],
      settings: { transfer_destinations: 'sales=PJSIP/201, support=Queue/support' },
      hangupAfterAudioMs: 3000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.deepEqual(mainCommands(run.commands), [
      'ANSWER',
      'STREAM FILE [greeting] "0"',
      'STREAM FILE [tts-0001] "#0"',
      'SET VARIABLE VOICEBOT_ACTION "transfer"',
      'SET VARIABLE VOICEBOT_STATUS "TRANSFER"',
      'SET VARIABLE VOICEBOT_TRANSFER_TO "PJSIP/201"',
    ], run.context);
    assert.equal(run.call.end_reason, 'transfer');
    assert.equal(run.call.outcome, 'transfer:PJSIP/201');
    assert.ok(run.events.some((e) => e.kind === 'transfer' && e.detail === 'sales -> PJSIP/201'), run.context);
    const tools = (run.requests.find((r) => (r.body as { tools?: unknown[] } | undefined)?.tools !== undefined)?.body as { tools: { function: { name: string; parameters: { properties: Record<string, { enum?: string[] }> } } }[] });
    const transfer = tools.tools.find((t) => t.function.name === 'transfer_call');
    assert.deepEqual(transfer?.function.parameters.properties['destination']?.enum, ['sales', 'support'], 'the model is offered only the whitelist names');
  });

  test('transfer_call to a destination off the whitelist is not obeyed', async () => {
    const run = await runCall({
      caller: [8000, 'Put me through to the boss.', 5000],
      replies: [{ content: 'Let me see.', toolCalls: [{ name: 'transfer_call', arguments: { destination: 'PJSIP/999' } }] }],
      settings: { transfer_destinations: 'sales=PJSIP/201' },
      hangupAfterAudioMs: 1000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.notEqual(run.variables['VOICEBOT_ACTION'], 'transfer', run.context);
    assert.ok(!run.commands.some((cmd) => cmd.includes('PJSIP/999')), run.context);
  });

  test('end_call without words: the goodbye phrase, then VOICEBOT_ACTION=hangup', async () => {
    const run = await runCall({
      caller: [8000, 'Bye.', 5000],
      replies: [{ content: '', toolCalls: [{ name: 'end_call', arguments: { reason: 'caller said bye' } }] }],
      hangupAfterAudioMs: 3000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.deepEqual(mainCommands(run.commands), [
      'ANSWER',
      'STREAM FILE [greeting] "0"',
      'STREAM FILE [goodbye] "#0"',
      'SET VARIABLE VOICEBOT_ACTION "hangup"',
      'SET VARIABLE VOICEBOT_STATUS "OK"',
      'SET VARIABLE VOICEBOT_TRANSFER_TO ""',
    ], run.context);
    assert.equal(run.call.end_reason, 'bot_goodbye');
  });

  test('the caller talks over a long greeting: it stops, and the utterance is answered right after it (no stuck listening command)', async () => {
    const run = await runCall({
      caller: [500, 'What time do you open on Saturday?', 5000],
      settings: { greeting: 'Hello and welcome to the demo line of a company with a very long greeting.' },
      replies: [{ content: 'We open at nine.' }],
      hangupAfterAudioMs: 500,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    // Under load the energy endpointer may split the sentence into two utterances (two replies): only
    // the start of the call is fixed.
    assert.deepEqual(mainCommands(run.commands).slice(0, 3), ['ANSWER', 'STREAM FILE [greeting] "0" ~', 'STREAM FILE [tts-0001] "#0"'], run.context);
    assert.equal(run.turns[0]?.interrupted, 1, 'the greeting is stored as interrupted');
    assert.deepEqual(mainCommands(run.commands).slice(-3), CALLER_HUNG_UP, run.context);
    const commands = [...run.result.commands].sort((a, b) => a.t_ms - b.t_ms);
    const greetingIndex = commands.findIndex((c) => c.cmd.startsWith('STREAM FILE') && c.cmd.includes('/phrases/'));
    const replyIndex = commands.findIndex((c) => c.cmd.startsWith('STREAM FILE') && c.cmd.includes('/tts-0001'));
    // Listening between the greeting and the reply lasts only while the caller still talks (the
    // greeting is cut as they start): it is never stuck until the listening sound runs out, which is
    // what an interrupter sharing Asterisk's read with the command it interrupts would cause.
    const between = commands.slice(greetingIndex + 1, replyIndex).filter((c) => c.cmd.includes(LISTEN_SOUND_NAME));
    assert.ok(greetingIndex !== -1 && replyIndex > greetingIndex, run.context);
    assert.ok(between.every((c) => c.elapsed_ms < (LISTEN_SOUND_SECONDS * 1000) / 3), `a listening command before the reply took ${between.map((c) => c.elapsed_ms).join(', ')} ms\n${run.context}`);
    const lastBefore = [commands[greetingIndex], ...between].at(-1);
    const listenedUntil = (lastBefore?.t_ms ?? 0) + (lastBefore?.elapsed_ms ?? 0);
    assert.ok((commands[replyIndex]?.t_ms ?? Infinity) - listenedUntil < 4000, `the reply follows the end of the caller's turn (LLM and TTS time only; a stuck listening command would be 10 s)\n${run.context}`);
    assert.deepEqual(run.turns.map((t) => t.role).slice(0, 3), ['bot', 'caller', 'bot']);
  });

  test('record_caller = yes: each caller utterance is a WAV referenced from its turn', async () => {
    const run = await runCall({
      caller: [8000, 'Hello there, I need help.', 3500, 'And one more thing.', 2500],
      replies: [{ content: 'Of course.' }, { content: 'Sure.' }],
      settings: { record_caller: 'yes' },
      hangupAfterAudioMs: 1500,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    const callers = run.turns.filter((t) => t.role === 'caller');
    assert.equal(callers.length, 2, run.context);
    for (const turn of callers) {
      assert.ok(turn.caller_audio_path !== null, `turn ${turn.seq} references its recording`);
      assert.ok(existsSync(turn.caller_audio_path), turn.caller_audio_path);
      const wav = readWav(turn.caller_audio_path);
      assert.equal(wav.channels, 1);
      const seconds = wav.samples.length / wav.sampleRateHz;
      assert.ok(seconds > 0.3 && seconds < 5, `recording holds the utterance (${seconds.toFixed(2)} s)`);
      let peak = 0;
      for (const sample of wav.samples) peak = Math.max(peak, Math.abs(sample));
      assert.ok(peak > 1000, 'the recording holds speech, not silence');
    }
    assert.notEqual(callers[0]?.caller_audio_path, callers[1]?.caller_audio_path);
  });
});
