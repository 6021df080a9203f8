import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { concatSamples, silence } from '../../src/audio/pcm.ts';
import { resample } from '../../src/audio/resample.ts';
import { VoicebotError } from '../../src/errors.ts';
import type { SttEvent } from '../../src/stt/engine.ts';
import { TINY_MODEL_WORD, writeTinyVoskModel } from '../../src/simulate/tiny-vosk-model.ts';
import { VoskModel } from '../../src/stt/vosk-model.ts';
import { VoskRecognizer } from '../../src/stt/vosk-recognizer.ts';
import { VoskSttEngine } from '../../src/stt/vosk-stt.ts';
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
  const events = await collect(new VoskSttEngine(model).transcribe(framesOf(silence(3000, 8000), 8000)));
  assert.deepEqual(events, []);
});

for (const rateHz of [8000, 16000]) {
  test(`real speech at ${rateHz} Hz: two utterances, each a final with word times inside the speech`, { skip: noSpeech }, async () => {
    const audio = rateHz === 8000 ? caller8k : resample(caller8k, 8000, rateHz);
    const events = await collect(new VoskSttEngine(model).transcribe(framesOf(audio, rateHz)));
    const [first, second] = finals(events);
    assert.equal(finals(events).length, 2, JSON.stringify(events.map((event) => event.type)));
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(first.type, 'final');
    assert.equal(second.type, 'final');
    if (first.type !== 'final' || second.type !== 'final') return;
    assert.equal(first.text, TINY_MODEL_WORD, 'one short word, one detection');
    assert.ok(second.text.split(' ').every((word) => word === TINY_MODEL_WORD) && second.words.length >= 1);
    assert.ok(first.words[0]!.startMs >= 900 && first.words[0]!.endMs <= 1700, `"yes" at ${JSON.stringify(first.words)}`);
    assert.ok(second.words[0]!.startMs > first.words[0]!.endMs + 500);
    assert.ok(first.speechStartMs >= 900 && first.speechStartMs < 1300);
    assert.ok(['quiet', 'decoder'].includes(first.reason));
    assert.ok(first.atMs - first.speechEndMs <= 700, 'ends within stopMs of the quiet');
    const starts = events.filter((event) => event.type === 'speech-start');
    assert.equal(starts.length, 2);
    assert.ok(events.indexOf(starts[0]!) < events.indexOf(first));
    assert.ok(events.some((event) => event.type === 'partial' && event.text.includes(TINY_MODEL_WORD)));
    assert.equal(events.some((event) => event.type === 'barge-in'), false, 'no barge-in while the bot is silent');
  });
}

test('while the bot speaks, loud speech raises barge-in and quiet speech does not', { skip: noSpeech }, async () => {
  const engine = new VoskSttEngine(model, { bargeIn: { threshold: 0.5, startMs: 300 } });
  const loud = await collect(engine.transcribe(framesOf(caller8k, 8000), { botSpeaking: () => true }));
  const bargeIns = loud.filter((event) => event.type === 'barge-in');
  assert.ok(bargeIns.length >= 1 && bargeIns.length <= 2, 'at most once per utterance');
  assert.ok(bargeIns.every((event) => event.speechStartMs >= 900), 'only on speech');
  const quietEngine = new VoskSttEngine(model, { bargeIn: { threshold: 1.01 } });
  const quiet = await collect(quietEngine.transcribe(framesOf(caller8k, 8000), { botSpeaking: () => true }));
  assert.equal(quiet.filter((event) => event.type === 'barge-in').length, 0);
  assert.equal(finals(quiet).length, 2, 'turn taking still works');
});

test('an utterance longer than maxUtteranceMs is cut; audio ending mid-speech still gives a final', { skip: noSpeech }, async () => {
  const speech = callerAudio([300, 'one two three four five six seven eight nine ten']);
  const events = await collect(new VoskSttEngine(model, { maxUtteranceMs: 1000 }).transcribe(framesOf(speech, 8000)));
  const reasons = finals(events).map((event) => event.type === 'final' ? event.reason : '');
  assert.ok(reasons.includes('max-length'), reasons.join());
  assert.equal(reasons.at(-1), 'end-of-audio');
});

test('aborting stops a transcription that waits for frames', async () => {
  const controller = new AbortController();
  async function* neverEnding() {
    yield { sampleRateHz: 8000, samples: silence(20, 8000) };
    await new Promise(() => undefined);
  }
  setTimeout(() => controller.abort(new VoicebotError('ABORTED', 'hangup')), 50);
  await assert.rejects(collect(new VoskSttEngine(model).transcribe(neverEnding(), { signal: controller.signal })), /hangup/);
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
    const events = await collect(new VoskSttEngine(real).transcribe(framesOf(audio, 8000)));
    const text = finals(events).map((event) => event.type === 'final' ? event.text : '').join(' ');
    assert.match(text, /yes/);
    assert.match(text, /table/);
  } finally {
    real.free();
  }
});
