import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWav, writeWav } from '../audio/wav.ts';
import { UsageError, VoicebotError } from '../errors.ts';
import { resampleLinear } from './asterisk/sounds.ts';
import { formatCommandLog, formatTranscript, mixStereo } from './call-recording.ts';
import { FakeAsteriskCall, HANGUP_MODES, type CallerEvent, type FakeCallResult } from './fake-asterisk.ts';
import { fd3Timeline } from './line/fd3-timeline.ts';
import { describePhoneLine, preparePhoneLine, type PhoneLineSpec } from './line/line-spec.ts';

export type HangupModeName = keyof typeof HANGUP_MODES;

export interface SimulateOptions {
  /** The caller's side: a 16-bit PCM mono WAV (any rate; resampled to the channel rate). */
  callerWav: string;
  /** Folder for call.wav, transcript.txt, commands.jsonl, voicebot.log (created). */
  outDir: string;
  configPath?: string | undefined;
  profile?: string | undefined;
  /** Key presses at call times. */
  dtmf?: readonly { digits: string; atMs: number }[];
  /** The caller hangs up this long after their audio ends (default 3000 ms). */
  hangupAfterAudioMs?: number;
  hangupMode?: HangupModeName;
  audioFormat?: 'slin' | 'slin16';
  /** Run the call this many times faster than real time (default 1). */
  timeScale?: number;
  /** The program to run; default: this voicebot (the executable itself, or node + src/cli/main.ts). */
  program?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Where relative sound names are looked up. */
  soundsDir?: string;
  /** Kill the program if it runs longer than this (real ms, default: call length + 60 s). */
  killAfterMs?: number;
  onStderr?: (text: string) => void;
  /** Noise, echo, mu-law and gaps on fd 3; babble is made once into `outDir`. */
  line?: PhoneLineSpec | undefined;
  /** After the caller audio: silent frames (default) or nothing at all. */
  afterCallerAudio?: 'silence' | 'nothing';
}

export interface SimulateResult {
  callWav: string;
  transcript: string;
  commandsLog: string;
  logFile: string;
  call: FakeCallResult;
  transcriptText: string;
}

/** How to start this very voicebot as a child: the single executable, or node + the entry script. */
export async function selfCommand(): Promise<string[]> {
  try {
    const sea = await import('node:sea');
    if (sea.isSea()) return [process.execPath];
  } catch {
    // node:sea missing: not a single executable.
  }
  const fromSource = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
  if (existsSync(fromSource)) return [process.execPath, fromSource];
  const script = process.argv[1];
  if (script !== undefined && existsSync(script)) return [process.execPath, script];
  throw new VoicebotError('SIMULATE_SELF', 'cannot find how to start voicebot; pass the program explicitly');
}

/** Parse `5@3.2s`, `12#@4500ms`, `#@10` (seconds) into a key press schedule. */
export function parseDtmfSpec(spec: string): { digits: string; atMs: number } {
  const match = /^([0-9*#A-Da-d]+)@(\d+(?:\.\d+)?)(ms|s)?$/.exec(spec.trim());
  if (match === null) throw new UsageError(`--dtmf ${JSON.stringify(spec)}: expected KEYS@TIME, e.g. 5@3.2s or 12#@4500ms`);
  const value = Number.parseFloat(match[2] ?? '0');
  return { digits: (match[1] ?? '').toUpperCase(), atMs: match[3] === 'ms' ? value : value * 1000 };
}

/**
 * Run one whole call of the real program against the fake Asterisk and write the recording
 * (stereo call.wav: caller left, bot right), transcript.txt and commands.jsonl into `outDir`.
 */
export async function runSimulatedCall(options: SimulateOptions): Promise<SimulateResult> {
  if (!existsSync(options.callerWav)) throw new UsageError(`--caller ${options.callerWav}: no such file (make one: espeak-ng -w caller.wav "hello"; sox caller.wav -r 8000 caller8k.wav)`);
  const callerPcm = readWav(options.callerWav);
  if (callerPcm.channels !== 1) throw new UsageError(`${options.callerWav}: the caller WAV must be mono (convert: sox in.wav -c 1 out.wav)`);
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const rateHz = options.audioFormat === 'slin16' ? 16000 : 8000;
  const caller = resampleLinear(callerPcm.samples, callerPcm.sampleRateHz, rateHz);
  const callerMs = (caller.length / rateHz) * 1000;
  const hangupAtMs = callerMs + (options.hangupAfterAudioMs ?? 3000);
  const timeScale = options.timeScale ?? 1;
  const events: CallerEvent[] = [
    ...(options.dtmf ?? []).map((press) => ({ action: 'dtmf' as const, digits: press.digits, atMs: press.atMs })),
    { action: 'hangup', atMs: hangupAtMs },
  ];
  const logFile = join(outDir, 'voicebot.log');
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), VOICEBOT_LOG_FILE: logFile, VOICEBOT_LOG_STDERR: 'no' };
  if (options.configPath !== undefined) env['VOICEBOT_CONFIG'] = resolve(options.configPath);
  const program = options.program ?? await selfCommand();
  const call = await FakeAsteriskCall.start({
    command: program,
    args: options.profile === undefined ? [] : [options.profile],
    env,
    callerAudio: caller,
    callerRateHz: rateHz,
    audioFormat: options.audioFormat ?? 'slin',
    hangupMode: HANGUP_MODES[options.hangupMode ?? 'default'],
    timeScale,
    events,
    soundsDir: options.soundsDir,
    line: options.line === undefined ? undefined : preparePhoneLine(options.line, { rateHz, cacheDir: outDir }),
    afterCallerAudio: options.afterCallerAudio,
    killAfterMs: options.killAfterMs ?? (hangupAtMs / timeScale + 60_000),
    onStderr: options.onStderr,
  });
  const result = await call.finished;

  const endMs = Math.max(result.exitAtMs, ...result.playbacks.map((p) => p.startMs + (p.samples.length / p.sampleRateHz) * 1000));
  // With a line, the caller side of the recording is what fd 3 carried.
  const callerSide = options.line === undefined ? caller : fd3Timeline(result.fd3Frames, rateHz);
  const stereo = mixStereo(callerSide, result.hangupAtMs ?? result.exitAtMs, result.playbacks, rateHz, endMs);
  const callWav = join(outDir, 'call.wav');
  writeWav(callWav, { sampleRateHz: rateHz, channels: 2, samples: stereo });
  const header = [
    `# voicebot simulate: caller ${options.callerWav} (${(callerMs / 1000).toFixed(2)} s), profile ${options.profile ?? '(general)'}`,
    `# hangup mode ${options.hangupMode ?? 'default'}, ${options.audioFormat ?? 'slin'}, exit code ${String(result.exitCode)}${result.killed ? ' (killed)' : ''}`,
    ...(options.line === undefined ? [] : [`# phone line: ${describePhoneLine(options.line)}`]),
    '# call.wav: left = caller, right = bot',
  ].join('\n');
  const transcriptText = formatTranscript(result, caller, header);
  const transcript = join(outDir, 'transcript.txt');
  writeFileSync(transcript, transcriptText);
  const commandsLog = join(outDir, 'commands.jsonl');
  writeFileSync(commandsLog, formatCommandLog(result.commands, result.events));
  if (result.stderr !== '') writeFileSync(join(outDir, 'stderr.txt'), result.stderr);
  return { callWav, transcript, commandsLog, logFile, call: result, transcriptText };
}
