import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { wordBoundary } from '../../bench/turn-taking/groups.ts';
import { muLawRoundTrip } from '../../src/audio/g711.ts';
import { generateNoise, mixInto, scaleToDbfs } from '../../src/audio/noise.ts';
import { concatSamples, silence } from '../../src/audio/pcm.ts';
import type { Config } from '../../src/config/keys/index.ts';
import { defaultConfig } from '../../src/config/load.ts';
import { turnTakerOptionsFromConfig } from '../../src/vad/options.ts';
import { createDetector, TurnTaker, type TurnEvent } from '../../src/vad/turn-taker.ts';
import { repoRoot } from '../support/paths.ts';
import { speak, speechUnavailable } from '../support/speech.ts';

// The tuning table of docs/turn-taking.md, row by row: the advised change, made through the config
// keys as an admin sets them, has the effect the row says (real Silero VAD, espeak-ng speech).
const noSpeech = speechUnavailable();
const RATE = 8000;
const ms = (value: number) => Math.round((value * RATE) / 1000);

function adviceKeys(): string[] {
  const doc = readFileSync(join(repoRoot, 'docs', 'turn-taking.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Tuning'), doc.indexOf('## Measured'));
  return [...section.matchAll(/^\| [^|]+ \| `(\w+)` \|/gm)].map((match) => match[1] ?? '');
}

function run(overrides: Partial<Config>, caller: Int16Array, bot?: Int16Array): TurnEvent[] {
  const options = turnTakerOptionsFromConfig({ ...defaultConfig(), ...overrides }, RATE);
  const taker = new TurnTaker(options, createDetector(options));
  const events: TurnEvent[] = [];
  for (let start = 0; start < caller.length; start += 160) {
    const reference = bot !== undefined && start < bot.length ? bot.slice(start, start + 160) : undefined;
    events.push(...taker.push(caller.subarray(start, start + 160), { reference, botSpeaking: bot !== undefined && start < bot.length }));
  }
  taker.close();
  return events;
}

const count = (events: TurnEvent[], type: TurnEvent['type']) => events.filter((event) => event.type === type).length;
const firstEndMs = (events: TurnEvent[]) => events.find((event) => event.type === 'speech-end')?.atMs ?? Number.POSITIVE_INFINITY;

/** Each key's scenario: true when the advised value does what the row says and the default does not (or less). */
const scenarios: Record<string, () => void> = {
  speech_end_ms() {
    const caller = concatSamples([silence(500, RATE), speak('Do you deliver on Sundays?'), silence(2500, RATE)]);
    assert.ok(firstEndMs(run({ speech_end_ms: 300, speech_pause_ms: 300 }, caller)) < firstEndMs(run({}, caller)) - 150);
  },
  speech_pause_ms() {
    const sentence = speak('Please put me through to the sales department.');
    const cut = wordBoundary(sentence);
    const caller = muLawRoundTrip(concatSamples([silence(500, RATE), sentence.subarray(0, cut), silence(1200, RATE), sentence.subarray(cut), silence(2500, RATE)]));
    assert.equal(count(run({ speech_end_ms: 300, speech_pause_ms: 300 }, caller), 'speech-start'), 2, 'short settings cut the sentence');
    assert.equal(count(run({ speech_end_ms: 1500, speech_pause_ms: 2000 }, caller), 'speech-start'), 1, 'the advised values keep it one turn');
  },
  barge_in_min_ms() {
    const bot = new Int16Array(ms(4000));
    const caller = concatSamples([silence(1000, RATE), speak('yes'), silence(2500, RATE)]);
    assert.equal(count(run({}, caller, bot), 'barge-in'), 1);
    assert.equal(count(run({ barge_in_min_ms: 600 }, caller, bot), 'barge-in'), 0);
  },
  barge_in_threshold_dbfs() {
    const bot = new Int16Array(ms(4000));
    const caller = concatSamples([silence(1000, RATE), scaleToDbfs(speak('and now the weather for tomorrow'), -34), silence(1000, RATE)]);
    assert.equal(count(run({}, caller, bot), 'barge-in'), 1);
    assert.equal(count(run({ barge_in_threshold_dbfs: -28 }, caller, bot), 'barge-in'), 0);
  },
  speech_threshold_dbfs() {
    const caller = muLawRoundTrip(generateNoise('pink', ms(4000), RATE, -36, 11));
    assert.ok(count(run({ vad: 'energy' }, caller), 'speech-start') > 0, 'at the default, energy takes the noise for speech');
    assert.equal(count(run({ vad: 'energy', speech_threshold_dbfs: -30 }, caller), 'speech-start'), 0);
  },
  echo_cancel() {
    const bot = scaleToDbfs(speak('Thank you for calling, our opening hours are nine to five.'), -18);
    const caller = new Int16Array(bot.length + ms(1000));
    mixInto(caller, bot, ms(100), -10);
    assert.ok(count(run({ echo_cancel: false }, muLawRoundTrip(caller), bot), 'barge-in') > 0);
    assert.equal(count(run({}, muLawRoundTrip(caller), bot), 'barge-in'), 0);
  },
  vad() {
    const caller = muLawRoundTrip(generateNoise('pink', ms(4000), RATE, -30, 12));
    assert.ok(count(run({ vad: 'energy' }, caller), 'speech-start') > 0);
    assert.equal(count(run({ vad: 'silero' }, caller), 'speech-start'), 0);
  },
};

test('every row of the tuning table has a scenario', () => {
  const keys = adviceKeys();
  assert.ok(keys.length >= 6, `rows found: ${keys.join(', ')}`);
  for (const key of keys) assert.ok(key in scenarios, `no scenario for ${key}`);
  for (const key of keys) assert.ok(key in defaultConfig(), `${key} is not a config key`);
});

for (const key of Object.keys(scenarios)) {
  test(`tuning advice: ${key}`, { skip: noSpeech }, () => scenarios[key]?.());
}
