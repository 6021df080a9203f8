import type { LlmTurn } from '../llm/types.ts';
import type { TurnRecord } from '../store/types.ts';
import type { CallAction, CallStatus } from './status.ts';

export type { LlmTurn, TurnRecord };

/**
 * What one call session needs from the outside world, as small interfaces. The composition root
 * (compose.ts) adapts the real protocol layer, engines, LLM and store to these; session tests can
 * drive the session through the real adapters over the fake Asterisk.
 */

/** The caller's side of the call as the session sees it (adapts src/agi). */
export interface CallChannel {
  /** Aborted on any hangup cause (SIGHUP, EOF, EPIPE, 511, result=-1). */
  readonly hangup: AbortSignal;
  answer(): Promise<void>;
  /** STREAM FILE; aborting `signal` interrupts playback at once (barge-in). */
  play(file: string, options: { escapeDigits: string; signal?: AbortSignal }): Promise<PlayResult>;
  /**
   * Keeps DTMF live while the caller is heard (a key pressed while no command runs is lost). Resolves
   * the key, or undefined when the listening sound ran out (call again) or `signal` ended the wait.
   * Its interruption must not be one Asterisk logs as a WARNING (WAIT FOR DIGIT is; STREAM FILE is not).
   */
  waitForKey(options: { signal?: AbortSignal }): Promise<string | undefined>;
  setVariable(name: string, value: string): Promise<void>;
  /** Shows a line on the Asterisk console; only call while nothing plays (it would stop playback). */
  verbose(message: string): Promise<void>;
}

export interface PlayResult {
  /** Escape digit that stopped playback. */
  digit: string | undefined;
  /** Samples played, as Asterisk reports it (endpos); undefined when we interrupted (no reply comes). */
  endposSamples: number | undefined;
  /** Wall time from the STREAM FILE write to its end: the estimate of what was heard when endpos is unknown. */
  elapsedMs: number;
  /** Stopped by our own signal (barge-in, skip). */
  interrupted: boolean;
  /** Asterisk could not play the file (result=-1 without hangup). */
  failed: boolean;
}

/** One stretch of caller speech, transcribed. */
export interface Utterance {
  text: string;
  /** Epoch ms (the session clock, Date.now in production). */
  speechStartMs: number;
  speechEndMs: number;
  /** From the end of speech to the final transcript. */
  sttMs: number;
  /** The utterance audio when recording is on. */
  audio: { samples: Int16Array; sampleRateHz: number } | undefined;
}

/** Caller speech that interrupts the bot. */
export interface BargeIn {
  /** Epoch ms when the interrupting speech began. */
  speechStartMs: number;
}

/** Caller audio turned into utterances and barge-ins (adapts fd 3 + src/vad + src/stt). */
export interface Ear {
  /** Next utterance; undefined when the caller does not start speaking within `timeoutMs`. */
  nextUtterance(options: { timeoutMs: number; signal: AbortSignal }): Promise<Utterance | undefined>;
  /**
   * Barge-ins while the bot speaks: iterating arms barge-in (the stricter rule of barge_in_*
   * applies) until `signal` aborts. Speech heard over the bot that never interrupted it is dropped.
   */
  bargeIns(signal: AbortSignal): AsyncIterable<BargeIn>;
  /** The bot starts playing this audio now (the echo reference); undefined when playback stops. */
  playing(audio: { samples: Int16Array; sampleRateHz: number } | undefined): void;
  /** Forget speech heard so far (e.g. the caller's own echo while the bot spoke without barge-in). */
  discardPending(): void;
  /** Resolves when the transcriber is loaded (speech heard before is transcribed then); rejects when it cannot load. */
  readonly ready: Promise<void>;
}

/** A sentence rendered to a sound file that STREAM FILE can play. */
export interface RenderedSpeech {
  /** Absolute path without extension, as STREAM FILE wants it. */
  file: string;
  durationMs: number;
  sampleRateHz: number;
  synthMs: number;
  /** The sound file written (`file` plus its extension): raw slin at `sampleRateHz`, the echo reference. */
  soundPath?: string;
}

/** Text to sound files (adapts src/tts). */
export interface Voice {
  /** Describes the engine for logs and the call row (e.g. voice file name, or "test tone voice"). */
  readonly label: string;
  /** `cache: true` for fixed phrases: rendered once, reused by later calls. */
  render(text: string, options: { signal?: AbortSignal; cache?: boolean }): Promise<RenderedSpeech>;
}

/** The conversation partner (adapts src/llm); keeps its own history. */
export interface Brain {
  readonly label: string;
  /** One LLM turn: speakable text deltas, then its outcome (text, a tool action, aborted or error; never rejects). */
  reply(callerText: string, options: { signal: AbortSignal }): LlmTurn;
  /** What the caller actually heard of the last reply (shorter than generated after barge-in). */
  settleLastReply(heardText: string): void;
}

/** The call log (adapts src/store). Never throws into the call. */
export interface CallLog {
  answered(): void;
  turn(turn: TurnRecord): void;
  event(kind: string, detail: string): void;
  close(outcome: CallOutcome): Promise<void>;
}

/** How the call ended, handed to the dialplan as channel variables. */
export interface CallOutcome {
  /** VOICEBOT_ACTION: what the dialplan should do next. */
  action: CallAction;
  /** VOICEBOT_STATUS. */
  status: CallStatus;
  /** VOICEBOT_TRANSFER_TO when action is transfer. */
  transferTo?: string | undefined;
  /** Why the call ended, for the call log (caller_hangup, bot_goodbye, silence, max_turns...). */
  endReason: string;
}
