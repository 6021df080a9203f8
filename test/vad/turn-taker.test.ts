import assert from 'node:assert/strict';
import { test } from 'node:test';
import { muLawRoundTrip } from '../../src/audio/g711.ts';
import { generateNoise, mixInto, scaleToDbfs } from '../../src/audio/noise.ts';
import { concatSamples, silence } from '../../src/audio/pcm.ts';
import { EchoCanceller } from '../../src/vad/echo-canceller.ts';
import { createTurnTaker, type TurnEvent, type TurnTakerOptions, type VadMode } from '../../src/vad/turn-taker.ts';
import { wordBoundary } from '../../bench/turn-taking/groups.ts';
import { speak, speechUnavailable } from '../support/speech.ts';

// The real Silero VAD (sherpa-onnx) on espeak-ng speech through G.711, 20 ms frames, faster than real time.
const noSpeech = speechUnavailable();
const RATE = 8000;
const ms = (value: number) => Math.round((value * RATE) / 1000);

interface Line { caller: Int16Array; bot?: { at: number; samples: Int16Array } }

async function run(mode: VadMode, line: Line, options: Partial<TurnTakerOptions> = {}): Promise<TurnEvent[]> {
  const taker = await createTurnTaker({ mode, sampleRateHz: RATE, ...options });
  const events: TurnEvent[] = [];
  try {
    for (let start = 0; start < line.caller.length; start += 160) {
      const bot = line.bot;
      const offset = bot === undefined ? -1 : start - bot.at;
      const playing = bot !== undefined && offset >= 0 && offset < bot.samples.length;
      const reference = playing ? bot.samples.slice(offset, offset + 160) : undefined;
      events.push(...taker.push(line.caller.subarray(start, start + 160), { reference, botSpeaking: playing }));
    }
  } finally {
    taker.close();
  }
  return events;
}

const of = (events: TurnEvent[], type: TurnEvent['type']) => events.filter((event) => event.type === type);

/** The bot's reply at `at`, its echo 'lossDb' down after `delayMs` in the caller stream, plus whatever the caller does. */
function echoLine(lossDb: number, delayMs: number, callerParts: Int16Array = silence(7000, RATE)): Line {
  const bot = scaleToDbfs(speak('Our opening hours are nine to five on weekdays, and ten to two on Saturdays.'), -18);
  const caller = new Int16Array(Math.max(callerParts.length, ms(500) + bot.length + ms(1000)));
  caller.set(callerParts);
  mixInto(caller, bot, ms(500 + delayMs), -lossDb);
  return { caller: muLawRoundTrip(caller), bot: { at: ms(500), samples: bot } };
}

test('steady pink noise at -30 dBFS while the bot speaks: the energy detector is interrupted, Silero is not', { skip: noSpeech }, async () => {
  const caller = muLawRoundTrip(generateNoise('pink', ms(6000), RATE, -30, 7));
  const line = { caller, bot: { at: ms(500), samples: scaleToDbfs(speak('Let me check that for you, one moment please.'), -18) } };
  assert.ok(of(await run('energy', line), 'barge-in').length > 0, 'energy takes the noise for the caller');
  const silero = await run('silero', line);
  assert.deepEqual(of(silero, 'barge-in'), []);
  assert.deepEqual(of(silero, 'speech-start'), [], 'the noise is not a caller turn');
});

test('the echo of the bot (12 dB, 100 ms) interrupts Silero alone but not Silero with the echo reference', { skip: noSpeech }, async () => {
  const line = echoLine(12, 100);
  assert.ok(of(await run('silero', line), 'barge-in').length > 0);
  assert.deepEqual(of(await run('silero+echo', line), 'barge-in'), []);
});

test('a real interruption during the echo (6 dB, 250 ms) still interrupts, within 400 ms of its start', { skip: noSpeech }, async () => {
  const interruption = scaleToDbfs(speak('Sorry, can you repeat that?'), -22);
  const callerParts = concatSamples([silence(2000, RATE), interruption, silence(3000, RATE)]);
  const events = await run('silero+echo', echoLine(6, 250, callerParts));
  const bargeIns = of(events, 'barge-in');
  assert.equal(bargeIns.length, 1, JSON.stringify(events));
  assert.ok(bargeIns[0]!.atMs >= 2000 && bargeIns[0]!.atMs <= 2400, `barge-in at ${bargeIns[0]!.atMs} ms`);
});

test('the echo canceller finds the line delay and loss', { skip: noSpeech }, () => {
  const bot = scaleToDbfs(speak('Thank you for calling, how can I help you today?'), -18);
  const canceller = new EchoCanceller({ sampleRateHz: RATE });
  const caller = new Int16Array(bot.length + ms(400));
  mixInto(caller, bot, ms(120), -12);
  const line = muLawRoundTrip(caller);
  for (let start = 0; start + 160 <= line.length; start += 160) canceller.process(line.subarray(start, start + 160), bot.length > start ? bot.slice(start, start + 160) : undefined);
  assert.ok(Math.abs(canceller.delayMs - 120) <= 1, `delay ${canceller.delayMs} ms`);
  assert.ok(Math.abs(20 * Math.log10(canceller.gain) + 12) <= 1, `gain ${canceller.gain}`);
});

test('barge_in_threshold_dbfs is used as set (no clamp): a -20 dBFS gate ignores a -26 dBFS caller, -40 does not', { skip: noSpeech }, async () => {
  const caller = muLawRoundTrip(concatSamples([silence(1000, RATE), scaleToDbfs(speak('Excuse me, hello?'), -26), silence(1500, RATE)]));
  const line = { caller, bot: { at: 0, samples: new Int16Array(caller.length) } };
  for (const mode of ['energy', 'silero'] as const) {
    assert.deepEqual(of(await run(mode, line, { bargeInThresholdDbfs: -20 }), 'barge-in'), [], mode);
    assert.equal(of(await run(mode, line, { bargeInThresholdDbfs: -40 }), 'barge-in').length, 1, mode);
  }
});

test('an 800 ms pause inside a sentence gives one turn; the finished sentence ends within 600 ms', { skip: noSpeech }, async () => {
  // One sentence cut at a word boundary, so the pitch before the pause is that of a sentence going on.
  const whole = speak('I would like to book a table for two people tonight.');
  const cut = wordBoundary(whole);
  const first = whole.subarray(0, cut);
  const second = whole.subarray(cut);
  const caller = muLawRoundTrip(concatSamples([silence(500, RATE), first, silence(800, RATE), second, silence(2000, RATE)]));
  const events = await run('silero+echo', { caller });
  assert.equal(of(events, 'speech-start').length, 1, JSON.stringify(events));
  const end = of(events, 'speech-end')[0];
  const trueEndMs = 500 + ((first.length + second.length) * 1000) / RATE + 800;
  assert.ok(end !== undefined && end.atMs - trueEndMs <= 600, `end ${end?.atMs} vs ${trueEndMs}`);
});

test('noise that goes on after the question does not hold the turn open', { skip: noSpeech }, async () => {
  const question = scaleToDbfs(speak('What time do you open on Saturday?'), -20);
  const caller = generateNoise('pink', ms(6000), RATE, -32, 3);
  mixInto(caller, question, ms(800), 0);
  const events = await run('silero+echo', { caller: muLawRoundTrip(caller) });
  const end = of(events, 'speech-end')[0];
  const trueEndMs = 800 + (question.length * 1000) / RATE;
  assert.ok(end !== undefined && end.atMs - trueEndMs <= 1500, `end ${end?.atMs} vs ${trueEndMs}`);
});

test('an utterance longer than maxUtteranceMs is cut', { skip: noSpeech }, async () => {
  const caller = concatSamples([silence(300, RATE), speak('one two three four five six seven eight nine ten eleven twelve'), silence(1000, RATE)]);
  const ends = of(await run('silero', { caller }, { maxUtteranceMs: 1000 }), 'speech-end');
  assert.ok(ends.some((event) => event.type === 'speech-end' && event.reason === 'max-length'), JSON.stringify(ends));
});
