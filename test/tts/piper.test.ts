import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { after, before, test } from 'node:test';
import { bytesToSamplesStrict, rmsDbfs } from '../../src/audio/pcm.ts';
import { VoicebotError } from '../../src/errors.ts';
import { PiperTtsEngine } from '../../src/tts/piper-tts.ts';
import { preparePiperVoice, readPiperConfig } from '../../src/tts/piper-voice.ts';
import { SpeechRenderer } from '../../src/tts/render.ts';
import { sharedTestdata } from '../support/paths.ts';

const ESPEAK_DATA = '/usr/lib/x86_64-linux-gnu/espeak-ng-data';
const testdata = sharedTestdata();
const dummyDir = testdata === undefined ? undefined : join(testdata, 'piper-dummy');
const skipDummy = dummyDir === undefined || !existsSync(join(dummyDir, 'test_voice.onnx'))
  ? 'piper-dummy test voice not found (set VOICEBOT_TESTDATA_DIR or place shared/testdata beside the repo)'
  : !existsSync(join(ESPEAK_DATA, 'phontab')) ? `no espeak-ng data in ${ESPEAK_DATA} (apt-get install espeak-ng-data)` : undefined;

let work: string;
let voicePath: string;
let engine: PiperTtsEngine | undefined;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'voicebot-tts-'));
  if (skipDummy !== undefined) return;
  // A writable copy: the shared folder is read-only and tests make broken variants next to it.
  voicePath = join(work, 'voices', 'test_voice.onnx');
  mkdirSync(join(work, 'voices'));
  copyFileSync(join(dummyDir!, 'test_voice.onnx'), voicePath);
  copyFileSync(join(dummyDir!, 'test_voice.onnx.json'), `${voicePath}.json`);
  engine = await PiperTtsEngine.load({ voicePath, cacheDir: join(work, 'cache'), espeakDataDir: ESPEAK_DATA });
});

after(() => rmSync(work, { recursive: true, force: true }));

test('preparation appends sherpa-onnx metadata and writes tokens.txt from phoneme_id_map, once', { skip: skipDummy }, () => {
  assert.ok(engine !== undefined);
  assert.equal(engine.voice.prepared, true);
  const original = readFileSync(voicePath);
  const prepared = readFileSync(engine.voice.modelPath);
  assert.deepEqual(prepared.subarray(0, original.length), original, 'the model bytes are kept as they are');
  const tail = prepared.subarray(original.length).toString('latin1');
  for (const [key, value] of [['model_type', 'vits'], ['comment', 'piper'], ['voice', 'en-us'], ['has_espeak', '1'], ['sample_rate', '22050'], ['n_speakers', '1']]) {
    assert.ok(tail.includes(`\x0a${String.fromCharCode(key!.length)}${key}\x12${String.fromCharCode(value!.length)}${value}`), `metadata ${key}=${value}`);
  }
  assert.equal(prepared[original.length], 0x72, 'field 14, length-delimited');
  const tokens = readFileSync(engine.voice.tokensPath, 'utf8').split('\n');
  assert.ok(tokens.includes('_ 0') && tokens.includes('  3') && tokens.includes('ə 59'), 'single-character symbols with their ids');
  assert.ok(!tokens.some((line) => line.startsWith('aɪ ')), 'multi-character symbols are left out');
  assert.equal(engine.sampleRateHz, 22050);
  const again = preparePiperVoice(voicePath, join(work, 'cache'));
  assert.equal(again.prepared, false);
  assert.equal(again.modelPath, engine.voice.modelPath);
});

test('real sherpa-onnx synthesises with the prepared voice; bad text is a typed error', { skip: skipDummy }, async () => {
  const pcm = await engine!.synthesize('Hello, this is a test.');
  assert.equal(pcm.sampleRateHz, 22050);
  assert.ok(pcm.samples.length > 0);
  await assert.rejects(engine!.synthesize('  ...  '), (error: unknown) => error instanceof VoicebotError && error.code === 'TTS_EMPTY_TEXT');
  await assert.rejects(engine!.synthesize('word '.repeat(2000)), (error: unknown) =>
    error instanceof VoicebotError && error.code === 'TTS_TEXT_TOO_LONG' && /splitSentences/.test(error.message));
  const controller = new AbortController();
  controller.abort(new VoicebotError('ABORTED', 'barge-in'));
  await assert.rejects(engine!.synthesize('Hello.', { signal: controller.signal }), /barge-in/);
});

test('renderToFile: 8 kHz .sln (default) and .sln16 under a sanitised call folder, path without extension', { skip: skipDummy }, async () => {
  const pcm = await engine!.synthesize('Hello there.');
  const renderer = new SpeechRenderer({ engine: engine!, cacheDir: join(work, 'cache'), callId: '../../etc/1700000000.42' });
  const first = await renderer.render('Hello there.');
  assert.ok(isAbsolute(first.file) && first.filePath === `${first.file}.sln`);
  assert.ok(first.file.startsWith(join(work, 'cache', 'calls') + '/'), first.file);
  assert.ok(!first.file.includes('/../'), 'the call id cannot climb out');
  const samples = bytesToSamplesStrict(readFileSync(first.filePath));
  assert.equal(samples.length, Math.ceil((pcm.samples.length * 8000) / 22050));
  assert.equal(first.durationMs, (samples.length / 8000) * 1000);
  assert.equal(rmsDbfs(samples), Number.NEGATIVE_INFINITY, 'the dummy voice speaks silence');
  const second = await renderer.render('Hello there.');
  assert.notEqual(second.file, first.file);
  const wide = new SpeechRenderer({ engine: engine!, cacheDir: join(work, 'cache'), callId: 'c1', format: 'sln16' });
  const rendered = await wide.render('Hello there.');
  assert.equal(statSync(rendered.filePath).size, Math.ceil((pcm.samples.length * 16000) / 22050) * 2);
  assert.ok(rendered.filePath.endsWith('.sln16'));
});

test('the phrase cache serves a fixed phrase without synthesis the second time', { skip: skipDummy }, async () => {
  const renderer = new SpeechRenderer({ engine: engine!, cacheDir: join(work, 'cache'), callId: 'c2' });
  const first = await renderer.renderPhrase('Welcome to the demo line.');
  assert.equal(first.cached, false);
  const other = new SpeechRenderer({ engine: engine!, cacheDir: join(work, 'cache'), callId: 'c3' });
  const second = await other.renderPhrase('Welcome to the demo line.');
  assert.equal(second.cached, true);
  assert.equal(second.file, first.file);
  assert.equal(second.durationMs, first.durationMs);
  assert.notEqual(other.phraseKey('Goodbye.'), other.phraseKey('Welcome to the demo line.'));
  const wide = new SpeechRenderer({ engine: engine!, cacheDir: join(work, 'cache'), callId: 'c3', format: 'sln16' });
  assert.notEqual(wide.phraseKey('Goodbye.'), other.phraseKey('Goodbye.'), 'format is part of the key');
});

test('a missing voice, missing or bad JSON, no phoneme_id_map, corrupt model and missing espeak data are typed errors', { skip: skipDummy }, async () => {
  const cacheDir = join(work, 'cache-bad');
  const load = (path: string, espeakDataDir = ESPEAK_DATA) => PiperTtsEngine.load({ voicePath: path, cacheDir, espeakDataDir });
  const expectCode = async (promise: Promise<unknown>, code: string, mention: string) => {
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof VoicebotError, String(error));
      assert.equal(error.code, code, error.message);
      assert.ok(error.message.includes(mention), `${error.message} names ${mention}`);
      assert.match(error.message, /Fix: /);
      return true;
    });
  };
  await expectCode(load(join(work, 'none.onnx')), 'TTS_VOICE_MISSING', join(work, 'none.onnx'));
  const noJson = join(work, 'voices', 'nojson.onnx');
  copyFileSync(voicePath, noJson);
  await expectCode(load(noJson), 'TTS_VOICE_CONFIG_MISSING', `${noJson}.json`);
  const badJson = join(work, 'voices', 'badjson.onnx');
  copyFileSync(voicePath, badJson);
  writeFileSync(`${badJson}.json`, '{ not json');
  await expectCode(load(badJson), 'TTS_VOICE_CONFIG_BAD', `${badJson}.json`);
  const noMap = join(work, 'voices', 'nomap.onnx');
  copyFileSync(voicePath, noMap);
  const config = JSON.parse(readFileSync(`${voicePath}.json`, 'utf8')) as Record<string, unknown>;
  delete config['phoneme_id_map'];
  writeFileSync(`${noMap}.json`, JSON.stringify(config));
  await expectCode(load(noMap), 'TTS_VOICE_NO_PHONEME_MAP', `${noMap}.json`);
  const corrupt = join(work, 'voices', 'corrupt.onnx');
  writeFileSync(corrupt, readFileSync(voicePath).subarray(0, 700));
  copyFileSync(`${voicePath}.json`, `${corrupt}.json`);
  await expectCode(load(corrupt), 'TTS_VOICE_CORRUPT', corrupt);
  const notOnnx = join(work, 'voices', 'text.onnx');
  writeFileSync(notOnnx, 'this is not a model at all');
  copyFileSync(`${voicePath}.json`, `${notOnnx}.json`);
  await expectCode(load(notOnnx), 'TTS_VOICE_CORRUPT', notOnnx);
  await expectCode(load(voicePath, join(work, 'no-espeak')), 'TTS_ESPEAK_DATA_MISSING', join(work, 'no-espeak'));
  assert.throws(() => readPiperConfig(`${noMap}.json`), /phoneme_id_map/);
});

const realVoice = process.env['VOICEBOT_TEST_PIPER_VOICE'];
test('a real Piper voice speaks audible 8 kHz audio', { skip: realVoice === undefined || realVoice === '' ? 'VOICEBOT_TEST_PIPER_VOICE is not set (point it at e.g. en_US-lessac-medium.onnx)' : skipDummy }, async () => {
  const real = await PiperTtsEngine.load({ voicePath: realVoice!, cacheDir: join(work, 'cache-real'), espeakDataDir: ESPEAK_DATA });
  const renderer = new SpeechRenderer({ engine: real, cacheDir: join(work, 'cache-real'), callId: 'real' });
  const rendered = await renderer.render('Hello, thank you for calling.');
  const samples = bytesToSamplesStrict(readFileSync(rendered.filePath));
  assert.ok(rendered.durationMs > 800 && rendered.durationMs < 5000, `duration ${rendered.durationMs}`);
  assert.ok(rmsDbfs(samples) > -40, 'audible');
});
