/** What is known about a call when it starts (mostly from the AGI env block). */
export interface CallInfo {
  /** `agi_uniqueid`. */
  uniqueid?: string | undefined;
  channel?: string | undefined;
  callerNumber?: string | undefined;
  callerName?: string | undefined;
  dnid?: string | undefined;
  context?: string | undefined;
  extension?: string | undefined;
  profile?: string | undefined;
  /** Ollama model name. */
  model?: string | undefined;
  /** Piper voice name or path. */
  voice?: string | undefined;
  /** Default: now. */
  startedAtMs?: number | undefined;
}

/** One completed utterance: what the caller said (STT final) or what the bot said (LLM reply). */
export interface TurnRecord {
  role: 'caller' | 'bot';
  /** Caller: the STT transcript. Bot: the full LLM reply. */
  text: string;
  /** Bot: the TTS audio file(s) played (several sentences: the first, or a folder). */
  audioPath?: string | undefined;
  /** Caller: the recording of this utterance, when recording is on. */
  callerAudioPath?: string | undefined;
  startedAtMs?: number | undefined;
  /** Default: now. */
  endedAtMs?: number | undefined;
  sttMs?: number | undefined;
  llmFirstTokenMs?: number | undefined;
  llmTotalMs?: number | undefined;
  ttsMs?: number | undefined;
  /** End of caller speech to the first STREAM FILE of the reply. */
  firstAudioMs?: number | undefined;
  /** The caller barged in (or pressed an escape digit) before the reply finished. */
  interrupted?: boolean | undefined;
  /** When interrupted: the part of `text` the caller actually heard. */
  playedText?: string | undefined;
  /** Digits pressed during this turn. */
  dtmf?: string | undefined;
  /** Bot: some of `text` was generated but never played (cut by limits, a failure or a hangup). */
  unplayed?: boolean | undefined;
}

/** How the call ended; `status` is the VOICEBOT_STATUS handed to the dialplan. */
export interface CallEnd {
  /** e.g. hangup, goodbye, transfer, silence, max_duration, max_turns, error. */
  endReason: string;
  status?: string | undefined;
  /** Further dialplan outcome, e.g. the transfer target. */
  outcome?: string | undefined;
  /** Default: now. */
  endedAtMs?: number | undefined;
}

/** A stored call as the CLI and export read it. */
export interface CallRow {
  id: string;
  uniqueid: string | null;
  host: string | null;
  channel: string | null;
  caller_number: string | null;
  caller_name: string | null;
  dnid: string | null;
  context: string | null;
  extension: string | null;
  profile: string | null;
  model: string | null;
  voice: string | null;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  end_reason: string | null;
  status: string | null;
  outcome: string | null;
  /** The process that wrote the row (schema v3; null in older rows). */
  pid: number | null;
  boot_id: string | null;
  proc_start: number | null;
}

export interface TurnRow {
  call_id: string;
  seq: number;
  role: 'caller' | 'bot';
  text: string;
  audio_path: string | null;
  caller_audio_path: string | null;
  started_at: string | null;
  ended_at: string | null;
  stt_ms: number | null;
  llm_first_token_ms: number | null;
  llm_total_ms: number | null;
  tts_ms: number | null;
  first_audio_ms: number | null;
  interrupted: number;
  played_text: string | null;
  dtmf: string | null;
  /** 1 when part of `text` was generated but never played (schema v3). */
  unplayed: number;
}

export interface EventRow {
  id: number;
  call_id: string;
  at: string;
  kind: string;
  detail: string | null;
}

/** A tool call as stored (arguments and result as text, the way the model saw them). */
export interface ToolCallEntry {
  atMs: number;
  tool: string;
  arguments: string;
  code: string;
  httpStatus: number | undefined;
  durationMs: number;
  waited: boolean;
  result: string;
}

export interface ToolCallRow {
  id: number;
  call_id: string;
  at: string;
  tool: string;
  arguments: string | null;
  code: string;
  http_status: number | null;
  duration_ms: number | null;
  waited: number;
  result: string | null;
}

/** ISO-8601 UTC with milliseconds: the one timestamp format in the call log. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
