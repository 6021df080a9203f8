import { untilHangup } from '../agi/run-until-hangup.ts';
import type { Config } from '../config/keys/index.ts';
import { LlmConversation, llmSettingsFrom, loadPromptTemplate, OllamaBrain, warmUpModel } from '../llm/index.ts';
import { errorMessage, VoicebotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { callStoreFromConfig } from '../store/call-store.ts';
import { VoskModel } from '../stt/vosk-model.ts';
import { VoskSttEngine } from '../stt/vosk-stt.ts';
import type { TtsEngine } from '../tts/engine.ts';
import { piperOptionsFromConfig } from '../tts/options.ts';
import { PiperTtsEngine } from '../tts/piper-tts.ts';
import { splitSentences } from '../tts/sentence-splitter.ts';
import { EspeakTestVoice } from '../tts/espeak-test-voice.ts';
import { ToneTestVoice } from '../tts/tone-test-voice.ts';
import { turnTakerOptionsFromConfig } from '../vad/options.ts';
import { createDetector, TurnTaker } from '../vad/turn-taker.ts';
import type { HttpToolSpec } from '../tools/types.ts';
import { businessHooks } from './adapters/business.ts';
import { storeCallLog } from './adapters/call-log.ts';
import { touchMemory } from '../standin/cpu-burner.ts';
import { withSttCost, withTtsCost } from '../standin/engines.ts';
import { webhookFromConfig, withWebhook } from './adapters/webhook.ts';
import type { WebhookSink } from '../webhook/sink.ts';
import { StreamEar } from './adapters/ear.ts';
import { PendingEngine, rendererVoice, voiceFileIdentity } from './adapters/voice.ts';
import { saveUtteranceWav } from './caller-audio.ts';
import { ensureListenSound } from './listen-sound.ts';
import { takeLoadTurn, type LoadTurn } from './load-lane.ts';
import { untilAborted, withDeadline } from '../runtime/deadline.ts';
import type { CallLine } from './line.ts';
import { REFUSED_OUTCOME } from './status.ts';
import type { CallLog, CallOutcome } from './ports.ts';
import { runSession } from './session.ts';

export interface ComposeOptions {
  line: CallLine;
  config: Config;
  configFile: string;
  profile: string | undefined;
  log: Logger;
  startedAtMs: number;
  /** The profile's HTTP tools. */
  tools?: readonly HttpToolSpec[];
  /** One process serving many calls (voicebot serve): engines it loads once; undefined: the call loads its own. */
  shared?: SharedEngines | undefined;
}

/** Engines a long-running process holds for all its calls; a call never closes them. */
export interface SharedEngines {
  sttModel(config: Config, log: Logger): Promise<VoskModel>;
  voice(config: Config, log: Logger): PendingEngine;
}

/**
 * The composition root: the one place real engines are wired to the call session. Test engines
 * enter only through config (voice_engine = test-espeak or test-tone, a generated model folder, a fake Ollama
 * host), which `voicebot simulate` writes and logs as such.
 */
export async function runConversation(options: ComposeOptions): Promise<CallOutcome> {
  const { line, config, log } = options;
  const env = line.identity;
  // The greeting goes first: opening the call log, loading the speech models, the detector and the
  // model warm-up all wait until its STREAM FILE is written (bench/call-start.ts).
  // true: the greeting's STREAM FILE is out; false: the call ended first (nothing more to load).
  const startup = Promise.withResolvers<boolean>();
  const store = callStoreFromConfig(config, log);
  store.holdWritesUntil(startup.promise);
  void startup.promise.then((greeted) => { if (greeted) line.greeted?.(log); });
  const callId = store.openCall({
    uniqueid: env.uniqueId, channel: env.channel, callerNumber: env.callerId, callerName: env.callerIdName,
    dnid: env.dnid, context: env.context, extension: env.extension, profile: options.profile,
    model: config.ollama_model,
    voice: (config.voice_engine === 'piper' ? config.piper_voice : `${config.voice_engine} (TEST ENGINE)`)
      + (config.test_stt_rtf > 0 || config.test_tts_rtf > 0 ? ` + TEST STAND-IN cost (stt ${config.test_stt_rtf}, tts ${config.test_tts_rtf})` : ''),
    startedAtMs: options.startedAtMs,
  });
  store.closeCrashedCalls();
  let webhook: WebhookSink | undefined;
  let callLog = storeCallLog(store, callId, config.db_flush_timeout_ms);
  log.info('CALL', 'call started', { callId, profile: options.profile ?? 'general', callerNumber: env.callerId });

  // Nothing was said to the caller yet: close the row and let the entry refuse the call.
  const refuse = async (error: unknown): Promise<never> => {
    startup.resolve(false);
    webhook?.close();
    store.addEvent(callId, 'error', errorMessage(error));
    store.closeCall(callId, REFUSED_OUTCOME);
    await store.close(config.db_flush_timeout_ms);
    throw new VoicebotError('SETUP_FAILED', `call setup failed: ${errorMessage(error)}`, { cause: error });
  };
  let prepared;
  try {
    webhook = webhookFromConfig(config, options.configFile, log);
    if (webhook !== undefined) {
      callLog = withWebhook(callLog, webhook, { callId, store, flushMs: config.webhook_flush_ms, log });
      webhook.emit('call_started', callId, { uniqueid: env.uniqueId, channel: env.channel, callerNumber: env.callerId, callerName: env.callerIdName,
        dnid: env.dnid, context: env.context, extension: env.extension, profile: options.profile ?? 'general' });
    }
    const sink = webhook;
    prepared = prepareEngines(options, callId, startup.promise, businessHooks({
      config, configFile: options.configFile, tools: options.tools ?? [], store, callId, log,
      emit: (kind, data) => sink?.emit(kind, callId, data),
    }));
  } catch (error) {
    return refuse(error);
  }
  const { conversation, tts, voice, openEar, modelLoad, listenSound } = prepared;
  if (config.vosk_load_before_answer) {
    // Behind the ring: a model libvosk cannot load is refused before ANSWER, not apologised for after it.
    const loaded = await untilHangup(modelLoad, line.hangup).then(() => undefined, (error: unknown) => error);
    if (loaded !== undefined && !line.hangup.aborted) {
      tts.close();
      return refuse(loaded);
    }
  }

  // The held call-log writes go out before the row is closed, even when the call ended before its greeting.
  const sessionLog: CallLog = { ...callLog, close: (outcome) => { startup.resolve(false); return callLog.close(outcome); } };
  try {
    return await runSession({
      channel: line.channel(listenSound),
      openEar, voice, callLog: sessionLog, log,
      brain: new OllamaBrain(conversation, `ollama:${config.ollama_model}`),
      splitSentences: (deltas) => splitSentences(deltas, { maxChars: config.tts_max_sentence_chars }),
      config, now: Date.now, startedAtMs: options.startedAtMs, redactTranscripts: config.redact_transcripts,
      saveCallerAudio: config.record_caller ? (utterance, seq) => saveUtteranceWav(config.cache_dir, callId, utterance, seq, log) : undefined,
      greetingStarted: () => startup.resolve(true),
    });
  } finally {
    startup.resolve(false);
    if (options.shared === undefined) tts.close();
  }
}

/** Everything that can fail before a word is said: prompt, LLM settings, voice files, STT loader. */
function prepareEngines(options: ComposeOptions, callId: string, behindGreeting: Promise<boolean>, business: ReturnType<typeof businessHooks>) {
  const { line, config, log } = options;
  const env = line.identity;
  const lane = loadLane(options, behindGreeting);
  const loadsMayStart = lane.turn.then((turn) => turn !== undefined);
  const settings = llmSettingsFrom(config, options.configFile);
  const conversation = new LlmConversation({
    settings,
    call: { callerNumber: env.callerId, callerName: env.callerIdName, profile: options.profile ?? 'general', language: config.language },
    template: loadPromptTemplate(settings.promptFile),
    log,
    onSayDo: business.onSayDo,
    ...(business.tools === undefined ? {} : { tools: business.tools }),
  });
  // Hidden behind the greeting: a cold model load would otherwise land on the first reply.
  void loadsMayStart.then((greeted) => (greeted ? warmUpModel(settings, { signal: line.hangup }) : undefined)).then((result) => {
    if (result === undefined) return;
    if (result.ok) log.info('LLM', 'model warm', { ms: Math.round(result.elapsedMs) });
    else log.warn('LLM', 'model warm-up failed', { code: result.code, error: result.message, ms: Math.round(result.elapsedMs) });
  });

  const tts = options.shared?.voice(config, log) ?? loadVoice(config, log, loadsMayStart);
  if (config.test_stt_rtf > 0 || config.test_tts_rtf > 0) {
    log.warn('CALL', 'TEST STAND-IN: the engines burn extra CPU as real models would; never on a live line', { sttRtf: config.test_stt_rtf, ttsRtf: config.test_tts_rtf });
  }
  const voice = rendererVoice({ engine: withTtsCost(tts, config.test_tts_rtf), cacheDir: config.cache_dir, callId, format: config.tts_format });
  const audio = line.audio;
  // vosk_load_before_answer: behind the ring instead, so a model libvosk cannot load is refused before ANSWER.
  const modelLoad = (config.vosk_load_before_answer ? Promise.resolve(true) : loadsMayStart).then(async (greeted) => {
    if (!greeted) throw new VoicebotError('CALL_ENDED', 'the call ended before its greeting: the speech model was not loaded');
    return options.shared === undefined ? loadSttModel(config, log) : options.shared.sttModel(config, log);
  });
  modelLoad.catch(() => undefined);
  const loadStt = async () => {
    if (audio === undefined) throw line.audioError ?? new Error('no caller audio on fd 3');
    return withSttCost(new VoskSttEngine(await modelLoad), config.test_stt_rtf);
  };
  const openEar = () => {
    const stt = loadStt();
    return new StreamEar(audio ?? emptyAudio(), {
      turnTaker: (sampleRateHz) => {
        const started = performance.now();
        const options = turnTakerOptionsFromConfig(config, sampleRateHz);
        const taker = new TurnTaker(options, createDetector(options));
        log.info('STT', 'speech detector ready', { detector: taker.detectorName, sampleRateHz, ms: Math.round(performance.now() - started) });
        lane.detectorReady();
        return taker;
      },
      stt, log, now: Date.now, recordAudio: config.record_caller, startAfter: loadsMayStart, bargeInIgnoreFirstMs: config.barge_in_ignore_first_ms, signal: line.hangup,
    });
  };
  lane.releaseAfter([modelLoad, tts.ready]);
  return { conversation, tts, voice, openEar, modelLoad, listenSound: () => ensureListenSound(config.cache_dir) };
}

/** Longest a call holds its load lane: a load that hangs must not stall every later call's start. */
const MAX_LANE_HOLD_MS = 3000;

/**
 * The call's turn at a host-wide load lane, taken once the greeting plays (undefined: the call
 * ended first). It is held until the detector is built and the model and voice have loaded.
 */
function loadLane(options: ComposeOptions, behindGreeting: Promise<boolean>) {
  const { config, log, line } = options;
  const detector = Promise.withResolvers<void>();
  const turn = behindGreeting.then(async (greeted): Promise<LoadTurn | undefined> => {
    if (!greeted) return undefined;
    // One process for many calls: its models are loaded once, there is no per-call load to queue.
    if (options.shared !== undefined) return { lane: 'unavailable', waitedMs: 0, release: () => undefined };
    const taken = await takeLoadTurn({ scope: config.db_path, lanes: config.model_load_lanes, maxWaitMs: config.model_load_wait_ms, signal: line.hangup });
    if (taken.lane === 'ended') return undefined;
    // Binding a free lane takes a few ms: only a real wait (a burst of starts) is worth a line.
    if (taken.waitedMs >= 50 || typeof taken.lane !== 'number') log.info('CALL', 'load lane', { lane: taken.lane, waitedMs: taken.waitedMs });
    return taken;
  });
  return {
    turn,
    detectorReady: () => detector.resolve(),
    releaseAfter(loads: readonly Promise<unknown>[]): void {
      void turn.then(async (taken) => {
        if (taken === undefined) return;
        const loaded = Promise.allSettled([...loads, detector.promise]);
        await withDeadline(untilAborted(loaded, line.hangup, () => undefined), MAX_LANE_HOLD_MS, () => undefined);
        taken.release();
      });
    },
  };
}

/** The Vosk model of `config` (and the stand-in's memory when set). */
export async function loadSttModel(config: Config, log: Logger): Promise<VoskModel> {
  const started = performance.now();
  const model = await VoskModel.load(config.vosk_model_dir);
  if (config.test_model_rss_mb > 0) {
    await touchMemory(config.test_model_rss_mb);
    log.warn('STT', 'TEST STAND-IN: holding memory as a real model would', { mb: config.test_model_rss_mb });
  }
  log.info('STT', 'model loaded', { dir: config.vosk_model_dir, ms: Math.round(performance.now() - started), sampleRateHz: model.sampleRateHz });
  return model;
}

/** The voice of `config`; its load starts once `startAfter` resolves true. */
export function loadVoice(config: Config, log: Logger, startAfter: Promise<boolean>): PendingEngine {
  if (config.voice_engine === 'test-espeak') {
    log.warn('TTS', 'voice_engine = test-espeak: the caller hears espeak-ng, a TEST ENGINE, not the Piper voice');
    const espeak = new EspeakTestVoice();
    return new PendingEngine(() => Promise.resolve<TtsEngine>(espeak), { name: espeak.name, cacheKey: espeak.cacheKey, sampleRateHz: espeak.sampleRateHz });
  }
  if (config.voice_engine === 'test-tone') {
    log.warn('TTS', 'voice_engine = test-tone: the caller hears beeps from a TEST ENGINE, not a voice');
    const tone = new ToneTestVoice();
    return new PendingEngine(() => Promise.resolve<TtsEngine>(tone), { name: tone.name, cacheKey: tone.cacheKey, sampleRateHz: tone.sampleRateHz });
  }
  const load = async (): Promise<TtsEngine> => {
    const started = performance.now();
    const loaded = await PiperTtsEngine.load(piperOptionsFromConfig(config));
    log.info('TTS', 'voice loaded', { voice: config.piper_voice, ms: Math.round(performance.now() - started), prepareMs: Math.round(loaded.timings.prepareMs) });
    return loaded;
  };
  return new PendingEngine(load, {
    name: `piper:${config.piper_voice}`,
    cacheKey: voiceFileIdentity(config.piper_voice, `${config.tts_speed}/${config.tts_speaker_id}`),
  }, startAfter);
}

/** No fd 3 (plain AGI): the ear hears nothing and the transcriber's load reports why. */
async function* emptyAudio(): AsyncGenerator<never> {}
