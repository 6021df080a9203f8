import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buzz } from '../../../src/simulate/caller-speech.ts';
import { concatSamples, silence } from '../../../src/audio/pcm.ts';
import { FakeAsteriskCall, HANGUP_MODES, type CallerEvent, type FakeCallResult, type HangupMode } from '../../../src/simulate/fake-asterisk.ts';
import { LISTEN_SOUND_NAME } from '../../../src/call/listen-sound.ts';
import { rawDb } from '../../store/helpers.ts';
import { testCallConfig } from '../../support/call-config.ts';
import { mainTs, nodeBin, repoRoot } from '../../support/paths.ts';
import type { ProxySpec } from './agi-proxy.ts';
import { childrenWithEnv } from './proc.ts';

export const PROXY = join(repoRoot, 'test', 'faults', 'support', 'agi-proxy.ts');

/**
 * A short call's settings: a tiny greeting, quick endpointing, no filler, no VERBOSE mirroring noise.
 * The callers here are buzzes (speech-like sound the tiny model hears as words, but not speech to
 * Silero): these calls are about faults, so they listen with the energy detector.
 */
export const SHORT_CALL_SETTINGS: Record<string, string | number> = {
  greeting: 'Hi.',
  vad: 'energy',
  speech_end_ms: 400,
  speech_pause_ms: 400,
  filler_after_ms: 0,
  db_flush_timeout_ms: 1000,
};

/** Caller audio (8 kHz): silence and buzzes the tiny test model hears as words. */
export function callerTimeline(parts: readonly (number | { speakMs: number })[]): Int16Array {
  return concatSamples(parts.map((part) => (typeof part === 'number' ? silence(part, 8000) : buzz(part.speakMs, 8000))));
}

export interface FaultCallOptions {
  callerAudio: Int16Array;
  ollamaHost: string;
  /** voicebot.conf keys over SHORT_CALL_SETTINGS. */
  settings?: Record<string, string | number>;
  events?: CallerEvent[];
  hangupMode?: HangupMode;
  timeScale?: number;
  /** Put a misbehaving Asterisk (test/faults/support/agi-proxy.ts) in front of voicebot. */
  proxy?: ProxySpec;
  killAfterMs?: number;
  /** agi_calleridname as the caller's phone (or an attacker) set it. */
  callerIdName?: string;
  /** EAGI(voicebot,<args>): the profile. */
  args?: string[];
  /**
   * `wait-for-digit`: the cache refuses the silent listening sound (a file stands where its folder
   * goes), so voicebot listens through its WAIT FOR DIGIT fallback: for faults of that command.
   */
  listenWith?: 'wait-for-digit' | undefined;
  /** Extra environment for the program. */
  env?: NodeJS.ProcessEnv;
  /** Replace the generated voicebot.conf (tests of bad configs), after the test settings are known. */
  configPath?: string;
}

export interface FaultCall {
  call: FakeAsteriskCall;
  dir: string;
  dbPath: string;
  logFile: string;
  /** The voicebot process (not the proxy), once it runs. */
  voicebotPid(): number | undefined;
  finished: Promise<FaultCallResult>;
}

export interface FaultCallResult extends FakeCallResult {
  log: string;
  dir: string;
  dbPath: string;
  logFile: string;
}

/** Start one real voicebot call (test engines) through the fake Asterisk. */
export async function startFaultCall(options: FaultCallOptions): Promise<FaultCall> {
  const { dir, configPath, dbPath, logFile } = testCallConfig({
    ollamaHost: options.ollamaHost,
    extra: { ...SHORT_CALL_SETTINGS, ...options.settings },
  });
  if (options.listenWith === 'wait-for-digit') {
    mkdirSync(join(dir, 'cache'), { recursive: true });
    writeFileSync(join(dir, 'cache', 'listen'), 'not a folder: listening falls back to WAIT FOR DIGIT\n');
  }
  const marker = dir;
  const command = options.proxy === undefined ? [nodeBin, mainTs] : [nodeBin, PROXY, nodeBin, mainTs];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'], HOME: process.env['HOME'], VOICEBOT_CONFIG: options.configPath ?? configPath, VOICEBOT_LOG_STDERR: 'no',
    VOICEBOT_FAULT_MARKER: marker, ...options.env,
  };
  if (options.proxy !== undefined) env['FAULT_PROXY'] = JSON.stringify(options.proxy);
  const call = await FakeAsteriskCall.start({
    command, env, callerAudio: options.callerAudio, callerRateHz: 8000,
    hangupMode: options.hangupMode ?? HANGUP_MODES.default, timeScale: options.timeScale ?? 1,
    events: options.events ?? [], killAfterMs: options.killAfterMs ?? 30_000,
    ...(options.callerIdName === undefined ? {} : { callerIdName: options.callerIdName }),
    ...(options.args === undefined ? {} : { args: options.args }),
  });
  const voicebotPid = (): number | undefined => {
    const direct = childrenWithEnv(process.pid, 'VOICEBOT_FAULT_MARKER', marker);
    if (options.proxy === undefined) return direct[0];
    const proxy = direct[0];
    return proxy === undefined ? undefined : childrenWithEnv(proxy, 'VOICEBOT_FAULT_MARKER', marker)[0];
  };
  const finished = call.finished.then((result) => ({
    ...result, dir, dbPath, logFile, log: existsSync(logFile) ? readFileSync(logFile, 'utf8') : '',
  }));
  return { call, dir, dbPath, logFile, voicebotPid, finished };
}

export interface StoredCall {
  integrity: string;
  calls: { id: string; ended_at: string | null; end_reason: string | null; status: string | null }[];
  turns: { call_id: string; seq: number; role: string; text: string; audio_path: string | null; interrupted: number }[];
}

/** Everything in the call log, read with a fresh connection (after the writer exited). */
export function readStore(dbPath: string): StoredCall {
  if (!existsSync(dbPath)) return { integrity: 'no file', calls: [], turns: [] };
  const db = rawDb(dbPath, { readonly: true });
  try {
    return {
      integrity: String(db.pragma('integrity_check', { simple: true })),
      calls: db.prepare('SELECT id, ended_at, end_reason, status FROM calls').all() as StoredCall['calls'],
      turns: db.prepare('SELECT call_id, seq, role, text, audio_path, interrupted FROM turns ORDER BY call_id, seq').all() as StoredCall['turns'],
    };
  } finally {
    db.close();
  }
}

/** The bot's reply files (STREAM FILE of per-call TTS audio) in the order they were played. */
interface Played {
  file: string;
  index: number;
  completed: boolean;
}

function streamFile(cmd: string): string | undefined {
  return /^STREAM FILE (\S+)/.exec(cmd)?.[1];
}

/**
 * What the command log proves must be in the DB: reply files played to the end and followed by a
 * command of the next phase (the loop records the bot turn before it mirrors or listens again),
 * the greeting when listening began after it, and one caller turn per reply that started.
 */
export function mustBeStored(result: FakeCallResult): { replyFiles: string[]; greeting: boolean; callerTurnsAtLeast: number; playedFiles: Set<string> } {
  const commands = result.commands;
  const played: Played[] = [];
  commands.forEach((record, index) => {
    const file = streamFile(record.cmd);
    if (file !== undefined && file.includes('/calls/')) {
      played.push({ file, index, completed: record.reply.some((line) => /^200 result=0 endpos=/.test(line)) });
    }
  });
  const nextPhase = (index: number) => commands.slice(index + 1).some((r) => isListening(r.cmd) || /^(VERBOSE|SET VARIABLE)/.test(r.cmd));
  const replyFiles = played.filter((p) => p.completed && nextPhase(p.index)).map((p) => p.file);
  const greetingIndex = commands.findIndex((r) => streamFile(r.cmd)?.includes('/phrases/') === true);
  const greeting = greetingIndex !== -1 && commands.slice(greetingIndex + 1).some((r) => isListening(r.cmd));
  let callerTurnsAtLeast = 0;
  let inReply = false;
  for (const record of commands) {
    if (isListening(record.cmd)) inReply = false;
    else if (streamFile(record.cmd)?.includes('/calls/') === true && !inReply) {
      inReply = true;
      callerTurnsAtLeast += 1;
    }
  }
  return { replyFiles, greeting, callerTurnsAtLeast, playedFiles: new Set(played.map((p) => p.file)) };
}

/** The command voicebot listens in: the silent listening sound, or WAIT FOR DIGIT when Asterisk cannot play it. */
export function isListening(cmd: string): boolean {
  return cmd.startsWith('WAIT FOR DIGIT') || (cmd.startsWith('STREAM FILE') && cmd.includes(LISTEN_SOUND_NAME));
}

/** Reply files of turns logged as lost (CALL LOG WRITE LOST ... op=addTurn ... audioPath="..."). */
export function lostReplyFiles(log: string): string[] {
  return log.split('\n')
    .filter((line) => line.includes('CALL LOG WRITE LOST') && line.includes('op=addTurn'))
    .flatMap((line) => (/audioPath="([^"]*)"/.exec(line)?.[1] ?? '').split(' ').filter((f) => f !== ''));
}

/**
 * The DB against the command log: every turn the command log proves complete is stored (or, when
 * `allowLogged`, logged as lost with its data), and nothing stored was never played. Returns the
 * problems found (empty = consistent).
 */
export function storeProblems(result: FaultCallResult, options: { allowLogged?: boolean; callClosed?: boolean } = {}): string[] {
  const problems: string[] = [];
  const stored = readStore(result.dbPath);
  if (stored.integrity !== 'ok' && stored.integrity !== 'no file') problems.push(`integrity_check: ${stored.integrity}`);
  const need = mustBeStored(result);
  const storedFiles = new Set(stored.turns.filter((t) => t.role === 'bot').flatMap((t) => (t.audio_path ?? '').split(' ')).filter((f) => f !== ''));
  const logged = new Set(options.allowLogged === true ? lostReplyFiles(result.log) : []);
  for (const file of need.replyFiles) {
    if (!storedFiles.has(file) && !logged.has(file)) problems.push(`played reply ${file} is neither in the DB nor logged as lost`);
  }
  // An interrupted turn may name the file whose STREAM FILE the hangup stopped from being sent.
  for (const turn of stored.turns.filter((t) => t.role === 'bot' && t.interrupted === 0)) {
    for (const file of (turn.audio_path ?? '').split(' ')) {
      if (file.includes('/calls/') && !need.playedFiles.has(file)) problems.push(`DB turn ${turn.seq} names ${file}, which was never played`);
    }
  }
  const callerTurns = stored.turns.filter((t) => t.role === 'caller').length;
  const loggedCaller = options.allowLogged === true ? result.log.split('\n').filter((l) => l.includes('CALL LOG WRITE LOST') && l.includes('role=caller')).length : 0;
  if (callerTurns + loggedCaller < need.callerTurnsAtLeast) problems.push(`${need.callerTurnsAtLeast} replies started but only ${callerTurns} caller turns stored (+${loggedCaller} logged as lost)`);
  if (need.greeting && !stored.turns.some((t) => t.role === 'bot' && t.seq === 1) && options.allowLogged !== true) problems.push('the greeting played but is not stored as turn 1');
  if (stored.calls.length > 1) problems.push(`${stored.calls.length} call rows for one call`);
  const answered = result.commands.some((r) => r.cmd === 'ANSWER');
  if (answered && stored.calls.length === 0 && options.allowLogged !== true) problems.push('the call was answered but has no row');
  if (options.callClosed !== false) {
    for (const row of stored.calls) if (row.ended_at === null) problems.push(`call ${row.id} has no ended_at after a clean exit`);
  }
  return problems;
}

/** A short human summary of a run for assertion messages. */
export function describeRun(result: FaultCallResult): string {
  const commands = result.commands.map((r) => `${r.t_ms.toFixed(0)} ${r.cmd.slice(0, 90)} -> ${r.reply.join(' | ')}`).join('\n');
  return `exit ${String(result.exitCode)} signal ${String(result.exitSignal)} killed ${result.killed}\n--- commands\n${commands}\n--- events\n${JSON.stringify(result.events.filter((e) => e.kind !== 'command'))}\n--- log\n${result.log.slice(-4000)}\n--- stderr\n${result.stderr.slice(-2000)}`;
}
