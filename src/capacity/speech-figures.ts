import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resampler } from '../audio/resample.ts';
import type { Config } from '../config/keys/index.ts';
import { callerAudio, speechUnavailable } from '../simulate/caller-speech.ts';
import { VoskModel } from '../stt/vosk-model.ts';
import { VoskRecognizer } from '../stt/vosk-recognizer.ts';
import type { TtsEngine } from '../tts/engine.ts';
import { EspeakTestVoice } from '../tts/espeak-test-voice.ts';
import { piperOptionsFromConfig } from '../tts/options.ts';
import { PiperTtsEngine } from '../tts/piper-tts.ts';
import { ToneTestVoice } from '../tts/tone-test-voice.ts';

/** Speech-to-text as one call process pays it, measured in the bench process. */
export interface SttFigures {
  /** What was measured; a test engine says TEST ENGINE. */
  engine: string;
  testEngine: boolean;
  loadMs: number;
  /** Process RSS after the load minus before it (MB). */
  rssAddedMb: number;
  /** Caller speech fed through the recogniser (8 kHz, resampled to the model's rate as a call does). */
  audioMs: number;
  cpuMs: number;
  /** CPU time / audio time: the share of one core a caller's speech keeps busy. */
  rtf: number;
  /** What the recogniser heard (a quick sanity check of the model's language). */
  heard: string;
}

/** Text-to-speech as one call process pays it, measured in the bench process. */
export interface TtsFigures {
  engine: string;
  testEngine: boolean;
  /** Voice load, without preparation (what every call pays). */
  loadMs: number;
  /** One-off preparation of the voice into the cache (0 for the test voices). */
  prepareMs: number;
  rssAddedMb: number;
  /** Time to synthesize a reply's first sentence: it adds to every turn's latency. */
  firstSentenceMs: number;
  /** Synthesis wall time / audio time over a few sentences. */
  rtf: number;
}

const STT_SPEECH: readonly (string | number)[] = [
  300, 'Hello, I would like to book a table for two people tonight, please.', 400,
  'My name is John Smith and my number is five five five, one two three four.', 400, 'Can you also tell me where you are and how I can park?', 300,
];
const FIRST_SENTENCE = 'We are open from nine in the morning to five in the afternoon on Saturday.';
const MORE_SENTENCES = [
  'Our office is on the main square, next to the post office.',
  'You can park in the garage behind the building for free.',
  'Is there anything else I can help you with today?',
];

/** The generated tiny model writes this README; a real Vosk model never has it. */
export function isTinyTestModel(dir: string): boolean {
  const readme = join(dir, 'README');
  try {
    return existsSync(readme) && readFileSync(readme, 'utf8').startsWith('voicebot TEST model');
  } catch {
    return false;
  }
}

export async function measureStt(config: Pick<Config, 'vosk_model_dir' | 'test_stt_rtf' | 'test_model_rss_mb'>): Promise<SttFigures> {
  const dir = config.vosk_model_dir;
  const standin = config.test_stt_rtf > 0 || config.test_model_rss_mb > 0;
  const testEngine = isTinyTestModel(dir) || standin;
  const engine = (isTinyTestModel(dir)
    ? `TEST ENGINE: the generated tiny Vosk model ${dir} (an energy detector that hears "hello"; not a recogniser)`
    : `Vosk model ${dir}`)
    + (standin ? `; the calls add a TEST STAND-IN cost (test_stt_rtf = ${config.test_stt_rtf}, test_model_rss_mb = ${config.test_model_rss_mb}), not in these figures` : '');
  const audio = callerAudio(STT_SPEECH, 8000);
  const audioMs = (audio.length / 8000) * 1000;
  const rssBefore = process.memoryUsage.rss();
  const started = performance.now();
  const model = await VoskModel.load(dir);
  const loadMs = performance.now() - started;
  const rssAddedMb = (process.memoryUsage.rss() - rssBefore) / 1048576;
  const heard: string[] = [];
  let cpuMs: number;
  const recognizer = new VoskRecognizer(model);
  try {
    const resampler = model.sampleRateHz === 8000 ? undefined : new Resampler(8000, model.sampleRateHz);
    const cpuBefore = process.cpuUsage();
    // 20 ms frames, as fd 3 delivers them; synchronous feeds keep the decode on this thread.
    for (let at = 0; at < audio.length; at += 160) {
      const frame = audio.subarray(at, at + 160);
      const samples = resampler === undefined ? frame : resampler.process(frame);
      if (samples.length > 0 && recognizer.acceptSync(samples)) heard.push(recognizer.result().text);
    }
    heard.push((await recognizer.finalResult()).text);
    const cpu = process.cpuUsage(cpuBefore);
    cpuMs = (cpu.user + cpu.system) / 1000;
  } finally {
    recognizer.free();
    model.free();
  }
  const speech = speechUnavailable();
  return {
    engine: speech === undefined ? engine : `${engine}; fed a speech-like buzz (${speech})`,
    testEngine, loadMs: Math.round(loadMs), rssAddedMb: round1(rssAddedMb), audioMs: Math.round(audioMs), cpuMs: Math.round(cpuMs),
    rtf: Math.round((cpuMs / audioMs) * 1000) / 1000, heard: heard.filter((text) => text !== '').join(' '),
  };
}

/**
 * Loads the profile's voice as a call does. A Piper voice is prepared into `cacheDir`/voices first
 * (the benchmark calls then find it prepared, as calls on a running box do).
 */
export async function measureTts(config: Config, cacheDir: string): Promise<TtsFigures> {
  const rssBefore = process.memoryUsage.rss();
  const started = performance.now();
  let tts: TtsEngine;
  let prepareMs = 0;
  let engine: string;
  const standin = config.test_tts_rtf > 0 ? `; the calls add a TEST STAND-IN cost (test_tts_rtf = ${config.test_tts_rtf}), not in these figures` : '';
  if (config.voice_engine === 'piper') {
    const piper = await PiperTtsEngine.load(piperOptionsFromConfig({ ...config, cache_dir: cacheDir }));
    prepareMs = piper.timings.prepareMs;
    tts = piper;
    engine = `Piper voice ${config.piper_voice} (${config.tts_num_threads} thread${config.tts_num_threads === 1 ? '' : 's'})`;
  } else if (config.voice_engine === 'test-espeak') {
    tts = new EspeakTestVoice();
    engine = 'TEST ENGINE: voice_engine = test-espeak (espeak-ng speaks, not a Piper voice)';
  } else {
    tts = new ToneTestVoice();
    engine = 'TEST ENGINE: voice_engine = test-tone (beeps, not speech)';
  }
  const loadMs = performance.now() - started - prepareMs;
  const rssAddedMb = (process.memoryUsage.rss() - rssBefore) / 1048576;
  try {
    const firstStarted = performance.now();
    await tts.synthesize(FIRST_SENTENCE);
    const firstSentenceMs = performance.now() - firstStarted;
    let wallMs = 0;
    let audioMs = 0;
    for (const sentence of MORE_SENTENCES) {
      const sentenceStarted = performance.now();
      const pcm = await tts.synthesize(sentence);
      wallMs += performance.now() - sentenceStarted;
      audioMs += (pcm.samples.length / pcm.sampleRateHz) * 1000;
    }
    return {
      engine: `${engine}${standin}`, testEngine: config.voice_engine !== 'piper' || standin !== '', loadMs: Math.round(loadMs), prepareMs: Math.round(prepareMs),
      rssAddedMb: round1(rssAddedMb), firstSentenceMs: Math.round(firstSentenceMs), rtf: Math.round((wallMs / Math.max(1, audioMs)) * 1000) / 1000,
    };
  } finally {
    tts.close();
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
