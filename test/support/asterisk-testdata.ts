import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav, pcmToBytes } from '../../src/audio/wav.ts';
import { sharedTestdata } from './paths.ts';

/** testdata/asterisk-22 (real Asterisk transcripts), or undefined with the reason to print. */
export function asteriskTestdata(): { dir: string } | { skip: string } {
  const root = sharedTestdata();
  if (root === undefined) return { skip: 'no shared testdata: set VOICEBOT_TESTDATA_DIR or put shared/ beside the repo' };
  const dir = join(root, 'asterisk-22');
  try {
    readdirSync(join(dir, 'commands'));
  } catch {
    return { skip: `${dir}/commands is missing` };
  }
  return { dir };
}

/** One line of commands/<scenario>.jsonl. */
export interface TranscriptRow {
  t_ms: number;
  kind?: string;
  cmd?: string;
  reply?: string[];
  elapsed_ms?: number;
  [key: string]: unknown;
}

export function scenarioNames(dir: string): string[] {
  return readdirSync(join(dir, 'commands')).filter((f) => f.endsWith('.jsonl')).map((f) => f.replace(/\.jsonl$/, '')).sort();
}

export function readScenario(dir: string, name: string): TranscriptRow[] {
  return readFileSync(join(dir, 'commands', `${name}.jsonl`), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as TranscriptRow);
}

/** Samples of prompt-short as Asterisk played it: endpos at the end is 23185. */
export const PROMPT_SHORT_SAMPLES = 23185;
export const PROMPT_LONG_SAMPLES = 8000 * 9;

function tone(samples: number, hz: number, rateHz = 8000): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * hz * i) / rateHz)));
}

/**
 * A sounds folder with the prompts the transcripts use: prompt-short.wav (a WAV, so the fake
 * drops its last 22 samples like Asterisk: 23207 -> 23185) and prompt-long.sln (9 s).
 */
export function makePromptSounds(): string {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-sounds-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'prompt-short.wav'), encodeWav({ sampleRateHz: 8000, channels: 1, samples: tone(PROMPT_SHORT_SAMPLES + 22, 440) }));
  writeFileSync(join(dir, 'prompt-long.sln'), pcmToBytes(tone(PROMPT_LONG_SAMPLES, 330)));
  return dir;
}

/** Caller DTMF/hangup in a transcript: `caller_ctl` rows with `dtmf X` or `hangup`. */
export function callerAction(row: TranscriptRow): { action: 'dtmf'; digits: string } | { action: 'hangup' } | undefined {
  if (row.kind !== 'caller_ctl' || typeof row.cmd !== 'string') return undefined;
  if (row.cmd === 'hangup') return { action: 'hangup' };
  const dtmf = /^dtmf (\S+)$/.exec(row.cmd);
  return dtmf === null ? undefined : { action: 'dtmf', digits: dtmf[1] ?? '' };
}

/** Compare replies; `endpos=` values that depend on DTMF/hangup timing match any number. */
export function sameReply(actual: readonly string[], expected: readonly string[], options: { looseData?: boolean } = {}): boolean {
  if (actual.length !== expected.length) return false;
  return expected.every((line, i) => {
    const got = actual[i] ?? '';
    if (got === line) return true;
    if (options.looseData === true && /^200 result=1 \(-?\d+\)$/.test(line)) return /^200 result=1 \(-?\d+\)$/.test(got);
    const endpos = /endpos=(-?\d+)$/.exec(line);
    if (endpos === null) return false;
    const value = Number(endpos[1]);
    // Full plays, missing files and CONTROL STREAM FILE's -1 are exact; positions reached at a
    // DTMF, a hangup or a recording's end depend on timing.
    if (value === PROMPT_SHORT_SAMPLES || value === -1 || (value === 0 && !line.includes('('))) return false;
    return got.replace(/endpos=-?\d+$/, 'endpos=#') === line.replace(/endpos=-?\d+$/, 'endpos=#');
  });
}

/** Replies whose data is a timing-dependent number (the offset where playback was stopped). */
export const TIMING_DEPENDENT_COMMANDS = new Set(['GET VARIABLE CPLAYBACKOFFSET']);

/** Channel variables and identity a scenario ran with, recovered from its own replies. */
export function scenarioChannel(name: string, rows: readonly TranscriptRow[]): { channelName: string; variables: Record<string, string>; slin16: boolean } {
  let channelName = `Local/${name}@caller-00000000;1`;
  const variables: Record<string, string> = {};
  for (const row of rows) {
    const data = /^200 result=1 \((.*)\)$/.exec(row.reply?.[0] ?? '')?.[1];
    if (data === undefined) continue;
    if (row.cmd === 'GET VARIABLE CHANNEL') channelName = data;
    if (row.cmd === 'GET VARIABLE AGISIGHUP') variables['AGISIGHUP'] = data;
    if (row.cmd === 'GET VARIABLE AGIEXITONHANGUP') variables['AGIEXITONHANGUP'] = data;
  }
  return { channelName, variables, slin16: name === 'slin16' };
}

/** The hangup mode of a hup-* scenario from its name. */
export function scenarioMode(name: string): 'default' | 'nosighup' | 'exit' | 'both' {
  const suffix = name.split('-').pop();
  return suffix === 'nosighup' || suffix === 'exit' || suffix === 'both' ? suffix : 'default';
}

/** A caller action placed where it took effect in the capture. */
export interface PlacedAction {
  atMs: number;
  action: { action: 'dtmf'; digits: string } | { action: 'hangup' };
  /** Index (among command rows) of the command it ended, or undefined when none was running. */
  commandIndex: number | undefined;
  /** Index of the last command that had replied before it, for idle actions. */
  afterIndex: number;
}

function commandRows(rows: readonly TranscriptRow[]): TranscriptRow[] {
  return rows.filter((row) => row.kind === undefined && row.cmd !== undefined && row.reply !== undefined);
}

/**
 * The caller side of a capture logs when it was ASKED to press a key or hang up; the channel sees
 * it 0.5-1 s later (Local channel, helper polling). Place each action where its effect shows:
 * just before the reply of the first later command that reports it (its digit, or result=-1 for a
 * hangup); a digit no command reports was pressed while idle (lost); an idle hangup goes just
 * before the first signal/EOF event that followed it.
 */
export function placeCallerActions(rows: readonly TranscriptRow[]): PlacedAction[] {
  const commands = commandRows(rows);
  const placed: PlacedAction[] = [];
  const claimed = new Set<number>();
  const lastBefore = (t: number) => commands.reduce((last, row, i) => (row.t_ms <= t ? i : last), -1);
  for (const row of rows) {
    const action = callerAction(row);
    if (action === undefined) continue;
    const reports = (reply: string) => action.action === 'hangup'
      ? /^200 result=-1(\s|$)/.test(reply)
      : digitPattern(action.digits).test(reply);
    const index = commands.findIndex((c, i) => !claimed.has(i) && c.t_ms >= row.t_ms && reports(c.reply?.[0] ?? ''));
    if (index !== -1) {
      claimed.add(index);
      const command = commands[index] as TranscriptRow;
      const end = command.t_ms;
      const spread = action.action === 'dtmf' ? 250 * (action.digits.length - 1) : 0;
      placed.push({ atMs: Math.max(commandStart(command), end - 5 - spread), action, commandIndex: index, afterIndex: index - 1 });
      continue;
    }
    let atMs = row.t_ms + 1000;
    if (action.action === 'hangup') {
      const after = rows.find((r) => r.t_ms > row.t_ms && (r.kind === 'signal' || r.kind === 'stdin_eof' || r.kind === 'fd3_eof'));
      if (after !== undefined) atMs = after.t_ms - 1;
    } else {
      atMs = row.t_ms;
    }
    placed.push({ atMs, action, commandIndex: undefined, afterIndex: lastBefore(atMs) });
  }
  return placed;
}

export { commandRows };

/** Rows carry the time of the reply (`t_ms`) and how long the command took. */
export function commandStart(row: TranscriptRow): number {
  return row.t_ms - (row.elapsed_ms ?? 0);
}

/** A reply that reports these keys: the first key's ASCII code, or the digits (GET DATA). */
function digitPattern(digits: string): RegExp {
  const alternatives = [String(digits.charCodeAt(0))];
  const plain = digits.replace(/[#*]/g, '');
  if (plain !== '') alternatives.push(plain);
  return new RegExp(`^200 result=(${alternatives.join('|')})( |$)`);
}
