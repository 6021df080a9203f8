/**
 * What both transports of bench/serve.ts share: the caller (a question, then the same caller
 * cutting into the long reply), the engine setups, the voicebot.conf of a setup, the program
 * (built binary or source) and the few /proc readings the bench takes.
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { procMemoryKb } from '../test/faults/support/proc.ts';
import { mainTs, nodeBin, repoRoot } from '../test/support/paths.ts';
import { callerScript, tinyEngines } from './calls-run.ts';

/** Long enough (about 5 s of tone voice) that the caller's second utterance lands in its middle. */
export const LONG_REPLY = 'We open at nine in the morning and we close at six in the evening, every day of the week. '
  + 'On public holidays we open at ten and close at four. Parking is free behind the building, and the entrance is on the left side. '
  + 'If you need anything else, just ask me.';

const QUESTION = 'What are your opening hours on Saturday?';
const INTERRUPTION = 'Wait, one more question.';
const LEAD_MS = 2500;
/** From the end of the question to the interruption: the reply starts ~2 s after the question (more under load). */
const GAP_MS = 4500;

/** One caller for every call of the run; all times are caller-audio time (sample 0 = 0 ms). */
export interface BenchCaller {
  audio: Int16Array;
  /** espeak-ng speech, or why buzzes stand in for it. */
  speech: string;
  /** Where the interrupting utterance starts (its first loud sample). */
  onsetMs: number;
  /** When memory is read (five readings around it): the bot is talking, every load of the call is done. */
  midMs: number;
  /** When the caller hangs up: a second after the interruption ends. */
  hangupAtMs: number;
}

export function benchCaller(): BenchCaller {
  const script = callerScript([QUESTION, INTERRUPTION], { leadMs: LEAD_MS, gapMs: GAP_MS });
  const questionEnd = script.utteranceEndsMs[0] ?? 0;
  const onsetMs = questionEnd + GAP_MS;
  return {
    audio: script.audio, speech: script.speech, onsetMs, midMs: onsetMs - 500,
    hangupAtMs: (script.utteranceEndsMs[1] ?? onsetMs) + 1000,
  };
}

/** An engine setup: the test engines, or the same with a stand-in model's memory (300 MB). */
export interface Setup {
  name: string;
  label: string;
  settings: Record<string, string | number>;
}

export function setups(dir: string): Setup[] {
  const tiny = tinyEngines(dir);
  return [
    { name: 'test', label: `test engines (${tiny.label})`, settings: tiny.settings },
    { name: 'standin', label: 'test engines + stand-in model memory (test_model_rss_mb = 300, a Vosk small model)', settings: { ...tiny.settings, test_model_rss_mb: 300 } },
  ];
}

/** Writes `<dir>/<name>.conf` with every path inside `dir`; returns its path. */
export function writeConfig(dir: string, name: string, settings: Record<string, string | number>): string {
  const all: Record<string, string | number> = {
    db_path: join(dir, `${name}.db`), log_file: join(dir, `${name}.log`), cache_dir: join(dir, 'cache'),
    mirror_verbose: 'no', log_stderr: 'no', ...settings,
  };
  const path = join(dir, `${name}.conf`);
  writeFileSync(path, `[general]\n${Object.entries(all).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
  return path;
}

/** The program under test: `[binary]` or `[node, src/cli/main.ts]`, and an environment that keeps every file in the temp folder. */
export interface Program {
  command: string[];
  label: string;
  env(dir: string): NodeJS.ProcessEnv;
}

export function program(binary: string | undefined): Program {
  const command = binary === undefined ? [nodeBin, mainTs] : [binary];
  return {
    command,
    label: binary === undefined ? `source (${nodeBin} src/cli/main.ts)` : `binary ${binary}`,
    env: (dir) => ({ PATH: process.env['PATH'], HOME: dir, VOICEBOT_LOG_STDERR: 'no', VOICEBOT_NATIVE_DIR: join(dir, 'native') }),
  };
}

/** Why the binary cannot be used, or a warning when source files are newer than it; undefined when fine. */
export function binaryProblem(binary: string): { fatal: boolean; text: string } | undefined {
  if (!existsSync(binary)) return { fatal: true, text: `${binary} is missing: run \`make build\` first` };
  const builtMs = statSync(binary).mtimeMs;
  const newer = sourceFiles(join(repoRoot, 'src')).filter((file) => statSync(file).mtimeMs > builtMs);
  if (newer.length === 0) return undefined;
  return { fatal: false, text: `${newer.length} source file(s) are newer than ${binary} (e.g. ${newer[0]}): \`make build\` measures the current code` };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Private (RssAnon) and resident (VmRSS) memory of a process, in kB, or undefined once it is gone. */
export interface Memory { anonKb: number; rssKb: number }

export function memoryOf(pid: number): Memory | undefined {
  const status = procMemoryKb(pid);
  if (status === undefined || status['RssAnon'] === undefined || status['VmRSS'] === undefined) return undefined;
  return { anonKb: status['RssAnon'], rssKb: status['VmRSS'] };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Five readings 100 ms apart centred on `atWallMs` (performance.now() time), the median of each figure: a GC at one instant moves it little. */
export async function memoryAround(pid: number, atWallMs: number): Promise<Memory | undefined> {
  const readings: Memory[] = [];
  for (let i = -2; i <= 2; i += 1) {
    await sleep(atWallMs + i * 100 - performance.now());
    const reading = memoryOf(pid);
    if (reading !== undefined) readings.push(reading);
  }
  if (readings.length === 0) return undefined;
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return { anonKb: mid(readings.map((r) => r.anonKb)), rssKb: mid(readings.map((r) => r.rssKb)) };
}
