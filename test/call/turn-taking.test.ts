import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { wordBoundary } from '../../bench/turn-taking/groups.ts';
import { concatSamples, silence } from '../../src/audio/pcm.ts';
import { speak, speechUnavailable } from '../../src/simulate/caller-speech.ts';
import { runCall } from './harness.ts';

/**
 * Turn taking end to end: the real program (Silero VAD with the echo reference, the default config)
 * through the fake Asterisk, with the phone line's noise, echo and gaps on fd 3.
 */
const noSpeech = speechUnavailable();
const REPLY = 'We are open from nine to five on weekdays. On Saturday we open at ten. On Sunday we are closed all day.';
const callerTurns = (run: Awaited<ReturnType<typeof runCall>>) => run.turns.filter((turn) => turn.role === 'caller');
const interruptedPlaybacks = (run: Awaited<ReturnType<typeof runCall>>) => run.commands.filter((cmd) => cmd.startsWith('STREAM FILE [tts-') && cmd.endsWith('~'));

describe('turn taking on a phone line', { concurrency: 2, skip: noSpeech }, () => {
  test('speech over the greeting stops it, and is answered', async () => {
    const run = await runCall({
      caller: [1500, 'Hello, I would like to know your opening hours on Saturday, please.', 5000],
      replies: [{ content: 'We open at ten on Saturday.' }],
      hangupAfterAudioMs: 1000,
      timeScale: 1,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.equal(run.commands[2], 'STREAM FILE [greeting] "0" ~', `the greeting was interrupted\n${run.context}`);
    assert.equal(run.turns[0]?.interrupted, 1, run.context);
    assert.ok(run.events.some((event) => event.kind === 'barge_in'), run.context);
    assert.ok(run.commands.includes('STREAM FILE [tts-0001] "#0"'), `the caller was answered\n${run.context}`);
    assert.equal(callerTurns(run).length, 1, run.context);
  });

  test('steady noise (pink, -30 dBFS) during a reply neither interrupts it nor becomes a turn', async () => {
    const run = await runCall({
      caller: [9000, 'What are your opening hours?', 12000],
      replies: [{ content: REPLY }],
      line: { noise: [{ kind: 'pink', levelDbfs: -30, seed: 5 }] },
      hangupAfterAudioMs: 500,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.deepEqual(interruptedPlaybacks(run), [], run.context);
    assert.ok(run.commands.includes('STREAM FILE [tts-0003] "#0"'), `the whole reply played\n${run.context}`);
    assert.equal(callerTurns(run).length, 1, `the noise is no caller turn\n${run.context}`);
    assert.equal(run.events.some((event) => event.kind === 'barge_in'), false, run.context);
  });

  test('the echo of the bot (6 dB, 120 ms) does not interrupt it; a caller talking over the echo does', async () => {
    const echo = { echo: { delayMs: 120, lossDb: 6 } };
    const quiet = await runCall({
      caller: [9000, 'What are your opening hours?', 12000],
      replies: [{ content: REPLY }],
      // Real time: the echo reference is laid by the fd 3 frames' capture times, 20 ms apart.
      line: echo, hangupAfterAudioMs: 500, timeScale: 1,
    });
    assert.deepEqual(interruptedPlaybacks(quiet), [], quiet.context);
    assert.equal(callerTurns(quiet).length, 1, quiet.context);

    const interrupted = await runCall({
      caller: [9000, 'What are your opening hours?', 2500, 'Sorry, what about Sunday?', 6000],
      replies: [{ content: REPLY }, { content: 'We are closed on Sunday.' }],
      line: echo, hangupAfterAudioMs: 500, timeScale: 1,
    });
    assert.equal(interruptedPlaybacks(interrupted).length, 1, interrupted.context);
    assert.ok(interrupted.events.some((event) => event.kind === 'barge_in'), interrupted.context);
    assert.equal(callerTurns(interrupted).length, 2, `the interruption is the next turn\n${interrupted.context}`);
  });

  test('an 800 ms pause inside a sentence gives one turn', async () => {
    const sentence = speak('I would like to book a table for two people tonight.');
    const cut = wordBoundary(sentence);
    const run = await runCall({
      caller: [],
      callerSamples: concatSamples([silence(9000, 8000), sentence.subarray(0, cut), silence(800, 8000), sentence.subarray(cut), silence(5000, 8000)]),
      replies: [{ content: 'For two tonight, certainly.' }],
      hangupAfterAudioMs: 500,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.equal(callerTurns(run).length, 1, run.context);
    assert.equal(run.commands.filter((cmd) => cmd.startsWith('STREAM FILE [tts-')).length, 1, run.context);
  });

  test('a DTX gap in the middle of an utterance (no fd 3 bytes for 1.5 s) still ends the turn', async () => {
    const run = await runCall({
      caller: [9000, 'What time do you open tomorrow morning?', 6000],
      line: { gaps: [{ atMs: 10_000, durationMs: 1500 }] },
      replies: [{ content: 'We open at nine.' }],
      hangupAfterAudioMs: 500,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.ok(run.commands.includes('STREAM FILE [tts-0001] "#0"'), `the caller was answered\n${run.context}`);
    assert.equal(callerTurns(run).length, 1, run.context);
  });
});
