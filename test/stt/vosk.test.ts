import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { concatSamples, silence } from '../../src/audio/pcm.ts';
import { resample } from '../../src/audio/resample.ts';
import { VoicebotError } from '../../src/errors.ts';
import type { SttEvent, SttInput } from '../../src/stt/engine.ts';
import { TINY_MODEL_WORD, writeTinyVoskModel } from '../../src/simulate/tiny-vosk-model.ts';
import { VoskModel } from '../../src/stt/vosk-model.ts';
import { VoskRecognizer } from '../../src/stt/vosk-recognizer.ts';
import { VoskSttEngine } from '../../src/stt/vosk-stt.ts';
import { createTurnTaker } from '../../src/vad/turn-taker.ts';
import { callerAudio, framesOf, speechUnavailable } from '../support/speech.ts';

const noSpeech = speechUnavailable();
let dir: string;
let model: VoskModel;
let caller8k: Int16Array;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'voicebot-vosk-'));
  model = await VoskModel.load(writeTinyVoskModel(join(dir, 'tiny')));
  if (noSpeech === undefined) caller8k = callerAudio([1000, 'yes', 1000, 'I would like to book a table for two people', 1500]);
});

after(() => {
  model.free();
  rmSync(dir, { recursive: true, force: true });
});

async function collect(events: AsyncIterable<SttEvent>): Promise<SttEvent[]> {
  const out: SttEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const finals = (events: SttEvent[]) => events.filter((event) => event.type === 'final');

/** Caller frames with the turn boundaries Silero VAD finds in them, as the ear feeds the transcriber. */
async function* withTurns(samples: Int16Array, sampleRateHz: number): AsyncGenerator<SttInput> {
  const taker = await createTurnTaker({ mode: 'silero', sampleRateHz });
  try {
    for await (const frame of framesOf(samples, sampleRateHz)) {
      yield { type: 'audio', frame };
      for (const event of taker.push(frame.samples, { botSpeaking: false })) {
        if (event.type === 'speech-start') yield { type: 'turn-start' };
        if (event.type === 'speech-end') yield { type: 'turn-end' };
      }
    }
    if (taker.inSpeech) yield { type: 'turn-end' };
  } finally {
    taker.close();
  }
}

async function* audioOnly(frames: AsyncIterable<{ sampleRateHz: number; samples: Int16Array }>): AsyncGenerator<SttInput> {
  for await (const frame of frames) yield { type: 'audio', frame };
}

test('the generated tiny model loads in real libvosk with its rate from conf/mfcc.conf', () => {
  assert.equal(model.sampleRateHz, 8000);
  assert.ok(model.loadMs >= 0);
});

test('silence gives no utterance and an empty final result', async () => {
  const recognizer = new VoskRecognizer(model);
  try {
    for (let i = 0; i < 150; i += 1) await recognizer.accept(silence(20, 8000));
    assert.equal((await recognizer.finalResult()).text, '');
  } finally {
    recognizer.free();
  }
  const events = await collect(new VoskSttEngine(model).transcribe(withTurns(silence(3000, 8000), 8000)));
  assert.deepEqual(events, []);
});

for (const rateHz of [8000, 16000]) {
  test(`real speech at ${rateHz} Hz with Silero turns: two finals with word times inside the speech`, { skip: noSpeech }, async () => {
    const audio = rateHz === 8000 ? caller8k : resample(caller8k, 8000, rateHz);
    const events = await collect(new VoskSttEngine(model).transcribe(withTurns(audio, rateHz)));
    const [first, second] = finals(events);
    assert.equal(finals(events).length, 2, JSON.stringify(events.map((event) => event.type)));
    assert.ok(first?.type === 'final' && second?.type === 'final');
    assert.equal(first.text, TINY_MODEL_WORD, 'one short word, one detection');
    assert.ok(second.text.split(' ').every((word) => word === TINY_MODEL_WORD) && second.words.length >= 1);
    assert.ok(first.words[0]!.startMs >= 900 && first.words[0]!.endMs <= 1700, `"yes" at ${JSON.stringify(first.words)}`);
    assert.ok(second.words[0]!.startMs > first.words[0]!.endMs + 500);
    assert.ok(events.some((event) => event.type === 'partial' && event.text.includes(TINY_MODEL_WORD)));
  });
}

test('text decoded outside a turn is dropped; a turn-end with no speech gives an empty final', { skip: noSpeech }, async () => {
  const events = await collect(new VoskSttEngine(model).transcribe((async function* (): AsyncGenerator<SttInput> {
    yield* audioOnly(framesOf(caller8k, 8000));
    yield { type: 'turn-start' };
    yield { type: 'turn-end' };
  })()));
  assert.deepEqual(finals(events).map((event) => event.type === 'final' ? event.text : undefined), ['']);
});

test('aborting stops a transcription that waits for frames', async () => {
  const controller = new AbortController();
  async function* neverEnding() {
    yield { sampleRateHz: 8000, samples: silence(20, 8000) };
    await new Promise(() => undefined);
  }
  setTimeout(() => controller.abort(new VoicebotError('ABORTED', 'hangup')), 50);
  await assert.rejects(collect(new VoskSttEngine(model).transcribe(audioOnly(neverEnding()), { signal: controller.signal })), /hangup/);
});

test('a missing model folder and a corrupt model are typed errors that name the folder', async () => {
  await assert.rejects(VoskModel.load(join(dir, 'nope')), (error: unknown) =>
    error instanceof VoicebotError && error.code === 'STT_MODEL_MISSING' && error.message.includes(join(dir, 'nope')) && /vosk_model_dir/.test(error.message));
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  await assert.rejects(VoskModel.load(empty), /has no am\/final\.mdl/);
  const corrupt = writeTinyVoskModel(join(dir, 'corrupt'));
  writeFileSync(join(corrupt, 'am', 'final.mdl'), '<TransitionModel> garbage');
  await assert.rejects(VoskModel.load(corrupt), (error: unknown) =>
    error instanceof VoicebotError && error.code === 'STT_MODEL_CORRUPT' && error.message.includes(corrupt));
});

const realModel = process.env['VOICEBOT_TEST_VOSK_MODEL'];
test('a real Vosk model transcribes real speech', { skip: realModel === undefined || realModel === '' ? 'VOICEBOT_TEST_VOSK_MODEL is not set (point it at e.g. vosk-model-small-en-us-0.15)' : noSpeech }, async () => {
  const real = await VoskModel.load(realModel!);
  try {
    const audio = concatSamples([silence(500, 8000), caller8k]);
    const events = await collect(new VoskSttEngine(real).transcribe(withTurns(audio, 8000)));
    const text = finals(events).map((event) => event.type === 'final' ? event.text : '').join(' ');
    assert.match(text, /yes/);
    assert.match(text, /table/);
  } finally {
    real.free();
  }
});
