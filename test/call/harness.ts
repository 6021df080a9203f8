import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { concatSamples } from '../../src/audio/pcm.ts';
import { LISTEN_SOUND_NAME } from '../../src/call/listen-sound.ts';
import { defaultConfig } from '../../src/config/load.ts';
import { callerAudio } from '../../src/simulate/caller-speech.ts';
import type { PhoneLineOptions } from '../../src/simulate/line/line-options.ts';
import { runFakeAsteriskCall, type CallerEvent, type FakeCallResult, type HangupMode } from '../../src/simulate/fake-asterisk.ts';
import { closedPortHost, startFakeOllama, type FakeOllama, type FakeOllamaOptions, type FakeReply, type RecordedRequest } from '../../src/simulate/fake-ollama.ts';
import { openReader } from '../../src/store/open.ts';
import { callDetail, listCalls } from '../../src/store/read.ts';
import type { CallRow, EventRow, TurnRow } from '../../src/store/types.ts';
import { SpeechRenderer } from '../../src/tts/render.ts';
import { ToneTestVoice } from '../../src/tts/tone-test-voice.ts';
import { testCallConfig } from '../support/call-config.ts';
import { mainTs, nodeBin } from '../support/paths.ts';

/**
 * One real voicebot call as a script: caller audio (strings spoken by espeak-ng, numbers = ms of
 * silence), scripted fake Ollama replies, caller events; the result is the AGI commands written,
 * the VOICEBOT_* variables, the rows stored and the fake Ollama's requests.
 */
export interface CallScript {
  caller: readonly (string | number)[];
  /** Caller audio as samples (8 kHz) instead of `caller`, e.g. a sentence cut by a pause. */
  callerSamples?: Int16Array;
  /** Noise, echo, mu-law and fd 3 gaps between the caller and the fake Asterisk. */
  line?: PhoneLineOptions;
  /** Fake Ollama replies, one per chat request (a function sees the request). */
  replies?: FakeReply[] | ((request: unknown, index: number) => FakeReply);
  /** `unreachable`: nothing listens on the configured Ollama port. */
  ollama?: 'fake' | 'unreachable';
  ollamaOptions?: FakeOllamaOptions;
  /** voicebot.conf [general] keys on top of the test config. */
  settings?: Record<string, string | number>;
  /** voicebot.conf text after [general], e.g. `[tool:NAME]` sections. */
  sections?: string;
  events?: CallerEvent[];
  /** The caller hangs up this long after their audio ends (call ms); undefined: never. */
  hangupAfterAudioMs?: number;
  timeScale?: number;
  afterCallerAudio?: 'silence' | 'nothing';
  hangupMode?: HangupMode;
  /** Real ms before the program is killed as hung. */
  killAfterMs?: number;
}

export interface CallRun {
  result: FakeCallResult;
  /** Commands in the order written, paths replaced by names: `STREAM FILE [greeting] "0"`, `[tts-0001]`; `~` marks an interrupted command. */
  commands: string[];
  variables: Record<string, string>;
  call: CallRow;
  turns: TurnRow[];
  events: EventRow[];
  transcript: { who: string; text: string }[];
  requests: RecordedRequest[];
  log: string;
  dir: string;
  /** Everything above as text, for assertion messages. */
  context: string;
}

/** Fixed phrases of the default config, named as in `commands`. */
const PHRASE_KEYS = ['greeting', 'goodbye_text', 'apology_text', 'reprompt_text', 'transfer_text', 'filler_text'] as const;

export async function runCall(script: CallScript): Promise<CallRun> {
  let fake: FakeOllama | undefined;
  let host: string;
  if (script.ollama === 'unreachable') {
    host = await closedPortHost();
  } else {
    let count = 0;
    const replies = script.replies ?? [];
    fake = await startFakeOllama({
      tokenDelayMs: 0,
      ...script.ollamaOptions,
      script: (request) => {
        const index = count++;
        if (typeof replies === 'function') return replies(request, index);
        return replies[index] ?? { content: 'I have nothing more to say.' };
      },
    });
    host = fake.host;
  }
  const settings: Record<string, string | number> = { llm_keep_alive_seconds: 60, mirror_verbose: 'yes', ...script.settings };
  const config = testCallConfig({ ollamaHost: host, extra: settings, ...(script.sections === undefined ? {} : { sections: script.sections }) });
  const scale = script.timeScale ?? 2;
  const audio = script.callerSamples ?? concatSamples([callerAudio(script.caller, 8000)]);
  const audioMs = (audio.length / 8000) * 1000;
  const events: CallerEvent[] = [...script.events ?? []];
  if (script.hangupAfterAudioMs !== undefined) events.push({ action: 'hangup', atMs: audioMs + script.hangupAfterAudioMs });
  const logFile = join(config.dir, 'voicebot.log');
  try {
    const result = await runFakeAsteriskCall({
      command: [nodeBin, mainTs],
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], VOICEBOT_CONFIG: config.configPath, VOICEBOT_LOG_STDERR: 'no' },
      callerAudio: audio, callerRateHz: 8000, timeScale: scale, events,
      afterCallerAudio: script.afterCallerAudio, hangupMode: script.hangupMode, line: script.line,
      killAfterMs: script.killAfterMs ?? 30_000,
    });
    return collect(result, config, settings, fake?.requests ?? [], logFile);
  } finally {
    await fake?.close();
  }
}

function collect(result: FakeCallResult, config: ReturnType<typeof testCallConfig>, settings: Record<string, string | number>,
  requests: RecordedRequest[], logFile: string): CallRun {
  const phrases = phraseNames(join(config.dir, 'cache'), settings);
  const ordered = [...result.commands].sort((a, b) => a.t_ms - b.t_ms);
  const commands = ordered.map((record) => shapeCommand(record.cmd, phrases) + (record.interrupted ? ' ~' : ''));
  const variables: Record<string, string> = {};
  for (const record of ordered) {
    const match = /^SET VARIABLE (\S+) "((?:[^"\\]|\\.)*)"$/.exec(record.cmd);
    if (match !== null) variables[match[1] ?? ''] = (match[2] ?? '').replace(/\\(.)/g, '$1');
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  let call: CallRow | undefined;
  let turns: TurnRow[] = [];
  let events: EventRow[] = [];
  let transcript: { who: string; text: string }[] = [];
  if (existsSync(config.dbPath)) {
    const db = openReader(config.dbPath);
    try {
      call = listCalls(db, { limit: 1 })[0];
      if (call !== undefined) {
        ({ turns, events } = callDetail(db, call));
        transcript = db.prepare('SELECT who, text FROM transcript WHERE call_id = ? ORDER BY seq').all(call.id) as { who: string; text: string }[];
      }
    } finally {
      db.close();
    }
  }
  const context = [
    `exit ${String(result.exitCode)} signal ${String(result.exitSignal)} killed ${String(result.killed)} fd3 written ${result.fd3BytesWritten} dropped ${result.fd3BytesDropped}`,
    `commands:\n  ${commands.join('\n  ')}`,
    `fake asterisk events: ${JSON.stringify(result.events)}`,
    `turns: ${JSON.stringify(turns, null, 1)}`,
    `events: ${JSON.stringify(events.map((e) => [e.kind, e.detail]))}`,
    `stderr: ${result.stderr}`,
    `log:\n${log}`,
  ].join('\n');
  return {
    result, commands, variables, turns, events, transcript, requests, log, dir: config.dir, context,
    call: call ?? ({} as CallRow),
  };
}

/** phrase cache file name -> `[greeting]`, `[goodbye_text]`, ... for the tone voice. */
function phraseNames(cacheDir: string, settings: Record<string, string | number>): Map<string, string> {
  const defaults = defaultConfig() as unknown as Record<string, unknown>;
  const renderer = new SpeechRenderer({ engine: new ToneTestVoice(), cacheDir, callId: 'names', format: 'sln' });
  const names = new Map<string, string>();
  for (const key of PHRASE_KEYS) {
    const text = String(settings[key] ?? defaults[key]);
    names.set(join(renderer.phraseDir, renderer.phraseKey(text)), key.replace(/_text$/, ''));
  }
  return names;
}

function shapeCommand(cmd: string, phrases: Map<string, string>): string {
  if (/^GET FULL VARIABLE "?voicebot-interrupt-\d+"?$/.test(cmd)) return 'INTERRUPT';
  if (/^GET FULL VARIABLE "?voicebot-nudge-\d+"?$/.test(cmd)) return 'NUDGE';
  if (cmd.startsWith('VERBOSE ')) return 'VERBOSE';
  const stream = /^STREAM FILE (\S+) (.*)$/.exec(cmd);
  if (stream !== null) {
    const file = stream[1] ?? '';
    const name = basename(file) === LISTEN_SOUND_NAME ? 'listen' : phrases.get(file) ?? basename(file);
    return `STREAM FILE [${name}] ${stream[2] ?? ''}`;
  }
  return cmd;
}

/** The dialplan variables voicebot sets when the caller hung up (SET VARIABLE works on a dead channel). */
export const CALLER_HUNG_UP = ['SET VARIABLE VOICEBOT_ACTION "none"', 'SET VARIABLE VOICEBOT_STATUS "CALLER_HANGUP"', 'SET VARIABLE VOICEBOT_TRANSFER_TO ""'];

/** How listening shows in `commands`: the silent sound with every key as an escape digit (`~`: interrupted, no reply). */
export const LISTEN = 'STREAM FILE [listen] "0123456789*#"';

/** The commands without the listening/bookkeeping noise: playback, variables, ANSWER. */
export function mainCommands(commands: readonly string[]): string[] {
  return commands.filter((cmd) => /^(ANSWER|STREAM FILE|SET VARIABLE|HANGUP|EXEC)/.test(cmd) && !cmd.startsWith(LISTEN));
}
