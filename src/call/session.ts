import type { Config } from '../config/keys/index.ts';
import { errorCode, errorMessage, VoicebotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { runBotTurn, type BotTurnResult } from './bot-turn.ts';
import type { Brain, CallChannel, CallLog, CallOutcome, Ear, RenderedSpeech, Utterance, Voice } from './ports.ts';
import { hangupOutcome } from './hangup-outcome.ts';
import { listen } from './listen.ts';
import { Speaker, type Interruption } from './speaker.ts';
import { dialplanVariables } from './status.ts';

export type SessionConfig = Pick<Config,
  | 'greeting' | 'goodbye_text' | 'apology_text' | 'reprompt_text' | 'transfer_text' | 'filler_text'
  | 'silence_reprompt_seconds' | 'max_reprompts' | 'max_call_seconds' | 'max_turns'
  | 'barge_in'
  | 'dtmf_operator_key' | 'dtmf_skip_key' | 'operator_destination' | 'filler_after_ms' | 'mirror_verbose'
  | 'max_dead_air_ms' | 'tts_max_reply_seconds'>;

export interface SessionDeps {
  channel: CallChannel;
  /**
   * Starts listening: the speech detector is ready at once (barge-in over the greeting), the
   * speech model loads behind it. Called in the same tick as the greeting's STREAM FILE write (the
   * detector loads on the first frame, after it), so no load can delay the first audio the caller hears.
   */
  openEar: () => Ear;
  voice: Voice;
  brain: Brain;
  callLog: CallLog;
  splitSentences: (deltas: AsyncIterable<string>) => AsyncIterable<string>;
  log: Logger;
  config: SessionConfig;
  /** Epoch ms clock (Date.now in production). */
  now: () => number;
  /** When the process started, epoch ms: start-up cost is logged against it. */
  startedAtMs: number;
  /** Called once the greeting's STREAM FILE is written (or there is none): start-up work waits for it. */
  greetingStarted?: () => void;
  /** Keep caller and bot text out of console lines (redact_transcripts). */
  redactTranscripts: boolean;
  /** Writes a caller utterance to a WAV in the call folder; returns its path (recording on). */
  saveCallerAudio?: ((utterance: Utterance, seq: number) => string | undefined) | undefined;
}

class Hangup extends Error {}

/**
 * One call from ANSWER to the dialplan handoff. Every exit path closes the call row and sets the
 * VOICEBOT_* variables (when the channel still lives); only bugs in this code escape as errors.
 */
export async function runSession(deps: SessionDeps): Promise<CallOutcome> {
  const { channel, config, log } = deps;
  const phrases = new Map<string, RenderedSpeech>();
  let outcome: CallOutcome;
  try {
    outcome = await converse(deps, phrases);
  } catch (error) {
    if (error instanceof Hangup || channel.hangup.aborted) {
      outcome = hangupOutcome(channel.hangup.reason);
    } else {
      log.error('CALL', 'call failed', { code: errorCode(error), error: errorMessage(error) });
      deps.callLog.event('error', `${errorCode(error)}: ${errorMessage(error)}`);
      outcome = { action: 'handoff', status: errorCode(error) === 'STT_FAILED' ? 'STT_FAILED' : 'ERROR', endReason: 'error' };
      await speakQuietly(deps, phrases, config.apology_text);
    }
  }
  // SET VARIABLE still works on a hung-up channel (dead-capable), so the h extension sees the status.
  await setDialplanVariables(channel, outcome, log);
  await deps.callLog.close(outcome);
  log.info('CALL', 'call ended', { reason: outcome.endReason, status: outcome.status, action: outcome.action, callMs: Math.round(deps.now() - deps.startedAtMs) });
  return outcome;
}

async function converse(deps: SessionDeps, phrases: Map<string, RenderedSpeech>): Promise<CallOutcome> {
  const { channel, config, log, callLog } = deps;
  const checkHangup = () => { if (channel.hangup.aborted) throw new Hangup(); };
  // Rendered before ANSWER: from the phrase cache this is instant; the first call after a voice
  // change synthesises it while the caller still hears ringing, never silence after pickup.
  const greeting = await renderPhrase(deps, phrases, config.greeting);
  await channel.answer();
  checkHangup();
  callLog.answered();
  const answeredMs = deps.now();
  log.info('CALL', 'answered', { sinceStartMs: Math.round(answeredMs - deps.startedAtMs) });

  // The greeting plays while the speech model loads: no dead air at pickup. The ear opens here, in
  // the same tick as the greeting's STREAM FILE (its detector loads on the first frame, after that
  // write), so the caller can talk over the greeting; their words are transcribed once the model is in.
  const listening = deps.openEar();
  const speaker = new Speaker(channel, listening, {
    bargeIn: config.barge_in, skipKey: config.dtmf_skip_key, operatorKey: config.dtmf_operator_key,
  }, log);
  if (greeting === undefined) deps.greetingStarted?.();
  if (greeting !== undefined && await greet(deps, speaker, greeting, answeredMs) === 'operator') return operatorTransfer(deps);
  checkHangup();
  try {
    await listening.ready;
  } catch (error) {
    throw new VoicebotError('STT_FAILED', `speech recognition could not start: ${errorMessage(error)}`, { cause: error });
  }
  const callSignal = channel.hangup;
  checkHangup();
  const filler = config.filler_after_ms > 0 ? await renderPhrase(deps, phrases, config.filler_text) : undefined;

  let reprompts = 0;
  let callerTurns = 0;
  /** Shown on the Asterisk console once nothing plays (VERBOSE would stop a playback). */
  let lastExchange = '';
  for (;;) {
    checkHangup();
    const callLeftMs = config.max_call_seconds * 1000 - (deps.now() - answeredMs);
    if (callLeftMs <= 0) return goodbye(deps, phrases, speaker, 'max_call_seconds');
    if (callerTurns >= config.max_turns) return goodbye(deps, phrases, speaker, 'max_turns');
    await mirror(deps, lastExchange);
    lastExchange = '';
    // The call limit is hard: a silent caller does not stretch the call past it.
    const silenceMs = config.silence_reprompt_seconds * 1000;
    const heard = await listen(channel, listening, Math.min(silenceMs, callLeftMs));
    checkHangup();
    if (heard.kind === 'silence' && silenceMs > callLeftMs) return goodbye(deps, phrases, speaker, 'max_call_seconds');
    if (heard.kind === 'digit') {
      callLog.event('dtmf', heard.digit);
      log.info('CALL', 'caller pressed a key', { digit: heard.digit });
      if (heard.digit === config.dtmf_operator_key) return operatorTransfer(deps);
      continue;
    }
    if (heard.kind === 'silence') {
      reprompts += 1;
      callLog.event('silence', `no speech for ${config.silence_reprompt_seconds} s (reprompt ${reprompts})`);
      if (reprompts > config.max_reprompts) return goodbye(deps, phrases, speaker, 'silence');
      const reprompt = await renderPhrase(deps, phrases, config.reprompt_text);
      if (reprompt !== undefined) await speaker.play(reprompt, callSignal);
      continue;
    }
    const utterance = heard.utterance;
    if (utterance.text.trim() === '') {
      log.info('STT', 'speech without words; listening on', { ms: Math.round(utterance.speechEndMs - utterance.speechStartMs) });
      continue;
    }
    reprompts = 0;
    callerTurns += 1;
    const turn = await reply(deps, { speaker, filler, answeredMs }, utterance, callerTurns);
    checkHangup();
    lastExchange = turn.consoleLine;
    const ended = await afterReply(deps, phrases, speaker, turn.result);
    if (ended !== undefined) return ended;
  }
}

/** One caller utterance answered: the caller's turn stored, the bot's reply spoken and stored. */
async function reply(
  deps: SessionDeps, call: { speaker: Speaker; filler: RenderedSpeech | undefined; answeredMs: number }, utterance: Utterance, seq: number,
): Promise<{ result: BotTurnResult; consoleLine: string }> {
  const { config, log, callLog } = deps;
  const callerAudioPath = deps.saveCallerAudio?.(utterance, seq);
  log.info('STT', 'caller said', { text: utterance.text, sttMs: Math.round(utterance.sttMs) });
  callLog.turn({
    role: 'caller', text: utterance.text, startedAtMs: utterance.speechStartMs, endedAtMs: utterance.speechEndMs,
    sttMs: utterance.sttMs, callerAudioPath,
  });
  const replyStartMs = deps.now();
  // The call limit also ends a long reply: the loop then says goodbye.
  const limitMs = Math.max(0, call.answeredMs + config.max_call_seconds * 1000 - replyStartMs);
  const result = await runBotTurn(utterance.text, {
    brain: deps.brain, voice: deps.voice, speaker: call.speaker, splitSentences: deps.splitSentences, log, now: deps.now,
    fillerAfterMs: config.filler_after_ms, filler: call.filler,
    maxDeadAirMs: config.max_dead_air_ms, maxReplyAudioMs: config.tts_max_reply_seconds * 1000,
  }, AbortSignal.any([deps.channel.hangup, AbortSignal.timeout(limitMs)]));
  // Stored before the caller checks for a hangup: a reply cut off by the hangup is part of the call.
  recordBotTurn(deps, result, replyStartMs, utterance.speechEndMs);
  return { result, consoleLine: consoleLine(deps, utterance.text, result, firstAudioAfterSpeechMs(result, replyStartMs, utterance.speechEndMs)) };
}

/** What a reply leads to: the end of the call (a failure, a transfer, a goodbye) or undefined to listen on. */
async function afterReply(deps: SessionDeps, phrases: Map<string, RenderedSpeech>, speaker: Speaker, turn: BotTurnResult): Promise<CallOutcome | undefined> {
  const { config, log, callLog } = deps;
  if (turn.failure !== undefined) {
    log.error(turn.failure.status === 'LLM_FAILED' ? 'LLM' : 'TTS', 'reply failed; apologising and handing back to the dialplan', {
      code: turn.failure.code, error: turn.failure.message,
    });
    callLog.event('error', `${turn.failure.status} ${turn.failure.code}: ${turn.failure.message}`);
    await speakQuietly(deps, phrases, config.apology_text, speaker);
    return { action: 'handoff', status: turn.failure.status, endReason: turn.failure.status.toLowerCase() };
  }
  const action = turn.action;
  if (action?.type === 'operator') return operatorTransfer(deps);
  if ((action?.type === 'transfer' || action?.type === 'end_call') && turn.interruption === 'barge-in') {
    // The caller spoke over the announcement ("wait, no"): what they say now decides, not the cut-off plan.
    callLog.event('action_cancelled', `${action.type} not carried out: the caller interrupted its announcement`);
    log.info('CALL', 'the caller interrupted the announcement of an action; listening instead', { action: action.type });
    return undefined;
  }
  if (action?.type === 'transfer') {
    if (turn.heardText === '') await speakQuietly(deps, phrases, config.transfer_text, speaker);
    callLog.event('transfer', `${action.destination} -> ${action.target}`);
    return { action: 'transfer', status: 'TRANSFER', transferTo: action.target, endReason: 'transfer' };
  }
  if (action?.type === 'end_call') {
    callLog.event('end_call', action.reason);
    if (turn.heardText === '') await speakQuietly(deps, phrases, config.goodbye_text, speaker);
    return { action: 'hangup', status: 'OK', endReason: 'bot_goodbye' };
  }
  return undefined;
}

/** The greeting, interruptible like any bot turn, stored as the call's first bot turn. */
async function greet(deps: SessionDeps, speaker: Speaker, greeting: RenderedSpeech, answeredMs: number): Promise<Interruption | undefined> {
  const { config, callLog } = deps;
  const speech = speaker.begin(deps.channel.hangup);
  const cpu = process.cpuUsage();
  // The start-up cost of a call, as bench/call-start.ts reads it: time since exec and CPU so far
  // (process-wide figures: meaningful for EAGI's process per call; sinceStartMs for every transport).
  deps.log.info('CALL', 'greeting', {
    sinceStartMs: Math.round(deps.now() - deps.startedAtMs), sinceExecMs: Math.round(performance.now()), cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  });
  try {
    const playing = speech.play(greeting, config.greeting, config.dtmf_operator_key);
    // Its STREAM FILE is written: the rest of the call's start-up (models, detector, call log) runs now.
    deps.greetingStarted?.();
    await playing;
  } catch {
    // The channel failed during the greeting: the caller of greet() finds the hangup.
  } finally {
    speech.finish();
  }
  callLog.turn({
    role: 'bot', text: config.greeting, startedAtMs: answeredMs, endedAtMs: deps.now(), audioPath: greeting.file,
    interrupted: speech.interruption !== undefined,
    playedText: speech.interruption === undefined ? undefined : speech.heardText,
    dtmf: speech.dtmf === '' ? undefined : speech.dtmf,
  });
  if (speech.interruption === 'barge-in') callLog.event('barge_in', `caller interrupted the greeting after: ${speech.heardText}`);
  return speech.interruption;
}

function recordBotTurn(deps: SessionDeps, turn: BotTurnResult, startedAtMs: number, speechEndMs: number): void {
  const text = turn.generatedText.trim();
  if (text === '' && turn.audioPaths.length === 0) return;
  deps.brain.settleLastReply(turn.heardText);
  const firstAudioMs = firstAudioAfterSpeechMs(turn, startedAtMs, speechEndMs);
  deps.log.info('LLM', 'bot replied', {
    reply: text, firstTokenMs: turn.llmFirstTokenMs, llmMs: turn.llmTotalMs, ttsMs: Math.round(turn.ttsMs),
    firstAudioAfterSpeechMs: firstAudioMs, interrupted: turn.interrupted,
  });
  if (turn.interruption === 'barge-in') deps.callLog.event('barge_in', `caller interrupted after: ${turn.heardText}`);
  deps.callLog.turn({
    role: 'bot', text, startedAtMs, endedAtMs: deps.now(), audioPath: turn.audioPaths.join(' '),
    llmFirstTokenMs: turn.llmFirstTokenMs, llmTotalMs: turn.llmTotalMs, ttsMs: Math.round(turn.ttsMs),
    firstAudioMs,
    interrupted: turn.interrupted, playedText: turn.interrupted || turn.unplayed ? turn.heardText : undefined, unplayed: turn.unplayed,
    dtmf: turn.dtmf === '' ? undefined : turn.dtmf,
  });
}

async function operatorTransfer(deps: SessionDeps): Promise<CallOutcome> {
  const destination = deps.config.operator_destination;
  deps.callLog.event('transfer', `operator key -> ${destination}`);
  return { action: 'transfer', status: 'TRANSFER', transferTo: destination, endReason: 'operator_key' };
}

async function goodbye(deps: SessionDeps, phrases: Map<string, RenderedSpeech>, speaker: Speaker, reason: string): Promise<CallOutcome> {
  await speakQuietly(deps, phrases, deps.config.goodbye_text, speaker);
  return { action: 'hangup', status: 'OK', endReason: reason };
}

/** Renders a fixed phrase through the phrase cache; undefined (logged) when the voice fails. */
async function renderPhrase(deps: SessionDeps, phrases: Map<string, RenderedSpeech>, text: string): Promise<RenderedSpeech | undefined> {
  const cached = phrases.get(text);
  if (cached !== undefined) return cached;
  try {
    const speech = await deps.voice.render(text, { cache: true });
    phrases.set(text, speech);
    return speech;
  } catch (error) {
    deps.log.error('TTS', 'cannot render a fixed phrase', { text, code: errorCode(error), error: errorMessage(error) });
    return undefined;
  }
}

/** Plays a fixed phrase without barge-in handling beyond the speaker's own; never throws. */
async function speakQuietly(deps: SessionDeps, phrases: Map<string, RenderedSpeech>, text: string, speaker?: Speaker): Promise<void> {
  if (deps.channel.hangup.aborted) return;
  const speech = await renderPhrase(deps, phrases, text);
  if (speech === undefined) return;
  try {
    if (speaker !== undefined) await speaker.play(speech, deps.channel.hangup);
    else await deps.channel.play(speech.file, { escapeDigits: '' });
  } catch (error) {
    deps.log.warn('PLAY', 'could not play a fixed phrase', { text, error: errorMessage(error) });
  }
}

async function setDialplanVariables(channel: CallChannel, outcome: CallOutcome, log: Logger): Promise<void> {
  try {
    for (const [name, value] of dialplanVariables(outcome)) await channel.setVariable(name, value);
  } catch (error) {
    // After a hangup with AGIEXITONHANGUP the pipes are gone: expected, not worth a warning.
    const level = channel.hangup.aborted ? 'info' : 'warn';
    log[level]('CALL', 'could not set the dialplan variables', { error: errorMessage(error) });
  }
}

/** The one "first audio" figure (turns.first_audio_ms): from the end of the caller's speech to the reply's first STREAM FILE. */
function firstAudioAfterSpeechMs(turn: BotTurnResult, replyStartMs: number, speechEndMs: number): number | undefined {
  return turn.timeToFirstAudioMs === undefined ? undefined : Math.round(replyStartMs - speechEndMs + turn.timeToFirstAudioMs);
}

function consoleLine(deps: SessionDeps, callerText: string, turn: BotTurnResult, firstAudioMs: number | undefined): string {
  const show = (text: string) => (deps.redactTranscripts ? `[${text.length} chars]` : JSON.stringify(text.slice(0, 120)));
  const firstAudio = firstAudioMs === undefined ? '' : `, first audio ${firstAudioMs} ms after the caller stopped`;
  return `voicebot: caller ${show(callerText)} -> bot ${show(turn.generatedText.trim())}${turn.interrupted ? ' (interrupted)' : ''}${firstAudio}`;
}

async function mirror(deps: SessionDeps, message: string): Promise<void> {
  if (message === '' || !deps.config.mirror_verbose || deps.channel.hangup.aborted) return;
  try {
    await deps.channel.verbose(message);
  } catch {
    // VERBOSE is a courtesy to the admin's console; a failure here must not end the call.
  }
}
