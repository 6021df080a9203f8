import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AudioFrame } from '../../src/audio/pcm.ts';
import { concatSamples, silence } from '../../src/audio/pcm.ts';
import { StreamEar } from '../../src/call/adapters/ear.ts';
import { silentLogger } from '../../src/log.ts';
import { AsyncQueue } from '../../src/runtime/async-queue.ts';
import type { SttEngine } from '../../src/stt/engine.ts';
import { TINY_MODEL_WORD, writeTinyVoskModel } from '../../src/simulate/tiny-vosk-model.ts';
import { VoskModel } from '../../src/stt/vosk-model.ts';
import { VoskSttEngine } from '../../src/stt/vosk-stt.ts';
import { createDetector, DEFAULT_TURN_TAKING, TurnTaker, type VadMode } from '../../src/vad/turn-taker.ts';
import { speak, speechUnavailable } from '../support/speech.ts';

// Real Silero VAD and real libvosk (the generated tiny model) behind the ear; frames are pushed by the test.
const noSpeech = speechUnavailable();
let dir: string;
let model: VoskModel;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'voicebot-ear-'));
  model = await VoskModel.load(writeTinyVoskModel(join(dir, 'tiny')));
});
after(() => {
  model.free();
  rmSync(dir, { recursive: true, force: true });
});

function makeEar(options: { mode?: VadMode; stt?: Promise<SttEngine>; bargeInMinMs?: number } = {}) {
  const frames = new AsyncQueue<AudioFrame>();
  const hangup = new AbortController();
  const ear = new StreamEar(frames, {
    turnTaker: (sampleRateHz) => {
      const taker = { ...DEFAULT_TURN_TAKING, mode: options.mode ?? 'silero+echo', sampleRateHz, bargeInMinMs: options.bargeInMinMs ?? DEFAULT_TURN_TAKING.bargeInMinMs };
      return new TurnTaker(taker, createDetector(taker));
    },
    stt: options.stt ?? Promise.resolve(new VoskSttEngine(model)),
    log: silentLogger, now: Date.now, recordAudio: false, bargeInIgnoreFirstMs: 0, signal: hangup.signal,
  });
  /** Pushes audio as 20 ms frames, letting the ear run between frames. */
  const send = async (samples: Int16Array) => {
    for (let i = 0; i < samples.length; i += 160) {
      frames.push({ sampleRateHz: 8000, samples: samples.slice(i, i + 160) });
      if (i % 1600 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  };
  return { ear, send, close: () => { frames.end(); hangup.abort(); } };
}

const never = () => new AbortController().signal;

test('caller speech while the bot speaks interrupts it once, and is then the next utterance', { skip: noSpeech }, async () => {
  const { ear, send, close } = makeEar();
  try {
    const turn = new AbortController();
    const bargeIns: number[] = [];
    const watching = (async () => { for await (const bargeIn of ear.bargeIns(turn.signal)) bargeIns.push(bargeIn.speechStartMs); })();
    await send(concatSamples([silence(500, 8000), speak('wait, I have a question'), silence(300, 8000)]));
    assert.equal(bargeIns.length, 1, 'one barge-in for one stretch of speech');
    turn.abort();
    await watching;
    await send(silence(1500, 8000));
    const heard = await ear.nextUtterance({ timeoutMs: 2000, signal: never() });
    assert.ok(heard !== undefined && heard.text.split(' ').every((word) => word === TINY_MODEL_WORD), JSON.stringify(heard?.text));
  } finally {
    close();
  }
});

test('speech that ends while the bot speaks, without interrupting it, is not taken as an answer', { skip: noSpeech }, async () => {
  const { ear, send, close } = makeEar({ bargeInMinMs: 5000 });
  try {
    const turn = new AbortController();
    const watching = (async () => { for await (const _ of ear.bargeIns(turn.signal)) assert.fail('no barge-in expected'); })();
    await send(concatSamples([silence(300, 8000), speak('uh huh'), silence(1500, 8000)]));
    turn.abort();
    await watching;
    assert.equal(await ear.nextUtterance({ timeoutMs: 300, signal: never() }), undefined);
  } finally {
    close();
  }
});

test('speech heard before the transcriber is loaded is transcribed once it is', { skip: noSpeech }, async () => {
  let loaded!: (engine: SttEngine) => void;
  const { ear, send, close } = makeEar({ stt: new Promise((resolve) => { loaded = resolve; }) });
  try {
    await send(concatSamples([silence(300, 8000), speak('hello there'), silence(1500, 8000)]));
    const pending = ear.nextUtterance({ timeoutMs: 100, signal: never() });
    await new Promise((resolve) => setTimeout(resolve, 200));
    loaded(new VoskSttEngine(model));
    const heard = await pending;
    assert.ok(heard !== undefined && heard.text.includes(TINY_MODEL_WORD), 'the early turn is not lost');
  } finally {
    close();
  }
});

for (const [mode, expectBargeIn] of [['silero', true], ['silero+echo', false]] as const) {
  test(`the bot's own voice coming back on the line, 12 dB down after 120 ms: ${mode} ${expectBargeIn ? 'takes it for the caller' : 'is not interrupted'}`, { skip: noSpeech }, async () => {
    const { ear, send, close } = makeEar({ mode });
    try {
      const bot = speak('Our opening hours are nine to five on weekdays and ten to two on Saturday.');
      const echo = new Int16Array(bot.length + 960);
      for (let i = 0; i < bot.length; i += 1) echo[i + 960] = Math.round((bot[i] ?? 0) / 4);
      const turn = new AbortController();
      let bargeIns = 0;
      const watching = (async () => { for await (const _ of ear.bargeIns(turn.signal)) bargeIns += 1; })();
      ear.playing({ samples: bot, sampleRateHz: 8000 });
      await send(echo);
      ear.playing(undefined);
      turn.abort();
      await watching;
      assert.equal(bargeIns > 0, expectBargeIn);
    } finally {
      close();
    }
  });
}
