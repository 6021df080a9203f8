import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { formatAgiEnv } from '../agi/env.ts';
import { AsteriskEngine, type CommandRecord, type PlaybackRecord } from './asterisk/engine.ts';
import { makePipe } from './asterisk/pipes.ts';
import { processGroupMembers } from './asterisk/process-group.ts';

/** AGISIGHUP / AGIEXITONHANGUP as set in the dialplan before EAGI(); unset = Asterisk's default. */
export interface HangupMode {
  /** AGISIGHUP: send SIGHUP on hangup (default yes). */
  sighup: boolean;
  /** AGIEXITONHANGUP: close stdin/stdout/fd 3 right after the hangup (default no). */
  exitOnHangup: boolean;
}

export const HANGUP_MODES = {
  default: { sighup: true, exitOnHangup: false },
  nosighup: { sighup: false, exitOnHangup: false },
  exit: { sighup: true, exitOnHangup: true },
  both: { sighup: false, exitOnHangup: true },
} as const satisfies Record<string, HangupMode>;

export type CallerAction = { action: 'dtmf'; digits: string } | { action: 'hangup' };
/** When a scripted caller action happens: at a call time, or relative to the n-th command (0-based). */
export type CallerEvent = CallerAction & (
  | { atMs: number }
  | { afterCommand: number; phase: 'received' | 'replied'; delayMs: number }
);

export interface FakeAsteriskOptions {
  /** The program: `[process.execPath, 'src/cli/main.ts']` or `['/usr/local/bin/voicebot']`. */
  command: readonly string[];
  /** EAGI(voicebot,<args>): become argv and agi_arg_N. */
  args?: readonly string[];
  /** Extra environment (merged over the AST_* variables Asterisk sets). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Caller audio at `callerRateHz`; resampled to the channel rate. Empty: the caller is silent. */
  callerAudio?: Int16Array;
  callerRateHz?: number;
  /** After the caller audio: keep sending silent frames (a SIP leg does) or nothing (a silent Local leg). */
  afterCallerAudio?: 'silence' | 'nothing';
  audioFormat?: 'slin' | 'slin16';
  hangupMode?: HangupMode;
  /** Call time runs this many times faster than real time (tests); 1 = real time. */
  timeScale?: number;
  events?: readonly CallerEvent[];
  /** Where relative sound names are looked up. */
  soundsDir?: string;
  /** Kill the program (SIGKILL) if it is still running this long after start, in real ms. */
  killAfterMs?: number;
  channelName?: string;
  extension?: string;
  context?: string;
  callerIdNum?: string;
  callerIdName?: string;
  /** Extra channel variables (as set in the dialplan). */
  variables?: Record<string, string>;
  /** Mirror the program's stderr here as it arrives. */
  onStderr?: (text: string) => void;
}

export interface FakeEvent {
  t_ms: number;
  kind: string;
  [key: string]: unknown;
}

export interface FakeCallResult {
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Killed by killAfterMs (the program hung). */
  killed: boolean;
  commands: CommandRecord[];
  events: FakeEvent[];
  playbacks: PlaybackRecord[];
  /** Call time of the channel hangup, if it hung up. */
  hangupAtMs: number | undefined;
  /** Call time the program exited. */
  exitAtMs: number;
  /** Real ms from the hangup to the program's exit. */
  exitAfterHangupRealMs: number | undefined;
  /** Processes of the program's process group still alive after it exited. */
  leftoverPids: number[];
  fd3BytesWritten: number;
  fd3BytesDropped: number;
  stderr: string;
  channelRateHz: number;
  pid: number;
}

/** The standard AST_* variables (env/eagi-process-environment.txt). */
export function asteriskProcessEnv(): Record<string, string> {
  return {
    AST_AGI_DIR: '/var/lib/asterisk/agi-bin', AST_BUILD_DATE: '2026-11-23 21:12:46 UTC', AST_BUILD_HOST: 'vm',
    AST_BUILD_KERNEL: '6.18.44-fc-v669', AST_BUILD_MACHINE: 'x86_64', AST_BUILD_OS: 'Linux', AST_BUILD_USER: 'root',
    AST_CONFIG_DIR: '/etc/asterisk', AST_CONFIG_FILE: '/etc/asterisk/asterisk.conf', AST_DATA_DIR: '/var/lib/asterisk',
    AST_KEY_DIR: '/var/lib/asterisk/keys', AST_LOG_DIR: '/var/log/asterisk', AST_MODULE_DIR: '/usr/lib/asterisk/modules',
    AST_MONITOR_DIR: '/var/spool/asterisk/monitor', AST_RUN_DIR: '/var/run/asterisk', AST_SPOOL_DIR: '/var/spool/asterisk',
    AST_SYSTEMNAME: '', AST_VAR_DIR: '/var/lib/asterisk', AST_VERSION: '22.10.1',
  };
}

/**
 * A fake Asterisk 22 running one EAGI call of a real program across a real process boundary:
 * real pipes for stdin, stdout and fd 3, the exact env block, caller audio on fd 3 in 20 ms frames
 * at real-time pace (or `timeScale` faster), the exact replies, playback with real durations,
 * DTMF, interruption and the four hangup modes. It records every command and the bot audio.
 */
export async function runFakeAsteriskCall(options: FakeAsteriskOptions): Promise<FakeCallResult> {
  const call = await FakeAsteriskCall.start(options);
  return call.finished;
}

export class FakeAsteriskCall {
  readonly finished: Promise<FakeCallResult>;
  readonly #options: FakeAsteriskOptions;
  readonly #scale: number;
  readonly #rateHz: number;
  readonly #mode: HangupMode;
  readonly #t0 = performance.now();
  readonly #commands: CommandRecord[] = [];
  readonly #events: FakeEvent[] = [];
  readonly #playbacks: PlaybackRecord[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #engine!: AsteriskEngine;
  #child!: ChildProcess;
  #stdin!: Socket;
  #stdout!: Socket;
  #fd3: number | undefined;
  #audioFlowing = true;
  #framesSent = 0;
  #fd3Written = 0;
  #fd3Dropped = 0;
  #pumpTimer: NodeJS.Timeout | undefined;
  #hangupAtMs: number | undefined;
  #hangupReal: number | undefined;
  #stderr = '';
  #received = 0;
  #replied = 0;
  #exited = false;
  #killed = false;
  #callerAudio: Int16Array;

  private constructor(options: FakeAsteriskOptions, finished: Promise<FakeCallResult>) {
    this.#options = options;
    this.finished = finished;
    this.#scale = options.timeScale ?? 1;
    this.#rateHz = options.audioFormat === 'slin16' ? 16000 : 8000;
    this.#mode = options.hangupMode ?? HANGUP_MODES.default;
    this.#callerAudio = new Int16Array(0);
  }

  static async start(options: FakeAsteriskOptions): Promise<FakeAsteriskCall> {
    let resolveFinished!: (result: FakeCallResult) => void;
    const finished = new Promise<FakeCallResult>((resolve) => { resolveFinished = resolve; });
    const call = new FakeAsteriskCall(options, finished);
    await call.#start(resolveFinished);
    return call;
  }

  /** Call time in ms since the program was started. */
  nowMs(): number {
    return (performance.now() - this.#t0) * this.#scale;
  }

  get channelRateHz(): number {
    return this.#rateHz;
  }

  pressDigits(digits: string): void {
    [...digits].forEach((digit, i) => this.#after(i * 250, () => this.#engine.pressDigit(digit)));
  }

  /** The caller hangs up. */
  hangup(): void {
    this.#engine.hangup('caller');
  }

  async #start(resolveFinished: (result: FakeCallResult) => void): Promise<void> {
    const options = this.#options;
    const { resampleLinear } = await import('./asterisk/sounds.ts');
    this.#callerAudio = resampleLinear(options.callerAudio ?? new Int16Array(0), options.callerRateHz ?? this.#rateHz, this.#rateHz);
    const [stdinPipe, stdoutPipe, fd3Pipe] = await Promise.all([makePipe('to-child'), makePipe('from-child'), makePipe('to-child')]);
    const args = options.args ?? [];
    const [file, ...commandArgs] = options.command;
    if (file === undefined) throw new Error('FakeAsteriskOptions.command is empty');
    const variables: Record<string, string> = { ...options.variables };
    if (this.#mode.sighup === false) variables['AGISIGHUP'] = 'no';
    if (this.#mode.exitOnHangup) variables['AGIEXITONHANGUP'] = 'yes';
    if (options.audioFormat === 'slin16') variables['EAGI_AUDIO_FORMAT'] = 'slin16';
    const channelName = options.channelName ?? 'Local/voicebot@simulate-00000000;1';
    this.#engine = new AsteriskEngine({
      commandStarted: () => { this.#received += 1; this.#trigger('received', this.#received - 1); },
      commandDone: (record) => { this.#commands.push(record); this.#replied += 1; this.#trigger('replied', this.#replied - 1); },
      nowMs: () => this.nowMs(),
      after: (ms, fn) => this.#after(ms, fn),
      write: (text) => { if (!this.#stdin.destroyed && this.#stdin.writable) this.#stdin.write(text); },
      hungUp: (cause) => this.#channelHungUp(cause),
      setAudioFlowing: (flowing) => { this.#audioFlowing = flowing; },
      played: (playback) => this.#playbacks.push(playback),
      event: (kind, fields) => this.#event(kind, fields),
    }, {
      channelName, extension: options.extension ?? 's', context: options.context ?? 'voicebot',
      callerIdNum: options.callerIdNum ?? '5551234', callerIdName: options.callerIdName ?? 'Simulated Caller',
      soundsDir: options.soundsDir ?? '/var/lib/asterisk/sounds/en', channelRateHz: this.#rateHz, variables,
    });

    this.#child = spawn(file, [...commandArgs, ...args], {
      cwd: options.cwd,
      env: { ...asteriskProcessEnv(), ...options.env },
      stdio: [stdinPipe.childFd, stdoutPipe.childFd, 'pipe', fd3Pipe.childFd],
      detached: true,
    });
    for (const fd of [stdinPipe.childFd, stdoutPipe.childFd, fd3Pipe.childFd]) closeSync(fd);
    this.#stdin = new Socket({ fd: stdinPipe.parentFd, readable: false, writable: true });
    this.#stdin.on('error', (error) => this.#event('stdin_write_error', { error: error.message }));
    this.#stdout = new Socket({ fd: stdoutPipe.parentFd, readable: true, writable: false });
    this.#stdout.setEncoding('utf8');
    this.#stdout.on('data', (text: string) => this.#engine.receive(text));
    this.#stdout.on('error', () => {});
    this.#fd3 = fd3Pipe.parentFd;
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (text: string) => { this.#stderr += text; options.onStderr?.(text); });
    const pid = this.#child.pid ?? -1;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      this.#child.on('exit', (code, signal) => resolve({ code, signal }));
      this.#child.on('error', (error) => { this.#event('spawn_error', { error: error.message }); resolve({ code: null, signal: null }); });
    });

    this.#stdin.write(formatAgiEnv(this.#envBlock(channelName, args)));
    this.#startPump();
    for (const event of options.events ?? []) {
      if ('atMs' in event) this.#after(event.atMs, () => this.#act(event));
    }
    const killTimer = setTimeout(() => {
      this.#killed = true;
      this.#event('kill', { reason: 'killAfterMs' });
      try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
    }, options.killAfterMs ?? 120_000);

    void exited.then(async ({ code, signal }) => {
      clearTimeout(killTimer);
      this.#exited = true;
      const exitAtMs = this.nowMs();
      const exitReal = performance.now();
      this.#event('exit', { code, signal });
      this.#stopAll();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const leftoverPids = processGroupMembers(pid);
      for (const leftover of leftoverPids) { try { process.kill(leftover, 'SIGKILL'); } catch { /* gone */ } }
      resolveFinished({
        exitCode: code, exitSignal: signal, killed: this.#killed,
        commands: this.#commands, events: this.#events, playbacks: this.#playbacks,
        hangupAtMs: this.#hangupAtMs, exitAtMs,
        exitAfterHangupRealMs: this.#hangupReal === undefined ? undefined : exitReal - this.#hangupReal,
        leftoverPids, fd3BytesWritten: this.#fd3Written, fd3BytesDropped: this.#fd3Dropped,
        stderr: this.#stderr, channelRateHz: this.#rateHz, pid,
      });
    });
  }

  #envBlock(channelName: string, args: readonly string[]): [string, string][] {
    const options = this.#options;
    const env: [string, string][] = [
      ['agi_request', 'voicebot'], ['agi_channel', channelName], ['agi_language', 'en'], ['agi_type', 'Local'],
      ['agi_uniqueid', `${Math.floor(Date.now() / 1000)}.0`], ['agi_version', '22.10.1'],
      ['agi_callerid', options.callerIdNum ?? '5551234'], ['agi_calleridname', options.callerIdName ?? 'Simulated Caller'],
      ['agi_callingpres', '0'], ['agi_callingani2', '0'], ['agi_callington', '0'], ['agi_callingtns', '0'],
      ['agi_dnid', 'unknown'], ['agi_rdnis', 'unknown'], ['agi_context', options.context ?? 'voicebot'],
      ['agi_extension', options.extension ?? 's'], ['agi_priority', '2'], ['agi_enhanced', '1.0'],
      ['agi_accountcode', ''], ['agi_threadid', String(process.pid)],
    ];
    args.forEach((arg, i) => env.push([`agi_arg_${i + 1}`, arg]));
    return env;
  }

  #trigger(phase: 'received' | 'replied', index: number): void {
    for (const event of this.#options.events ?? []) {
      if ('afterCommand' in event && event.afterCommand === index && event.phase === phase) {
        this.#after(event.delayMs, () => this.#act(event));
      }
    }
  }

  #act(action: CallerAction): void {
    if (this.#exited) return;
    if (action.action === 'dtmf') this.pressDigits(action.digits);
    else this.hangup();
  }

  #after(callMs: number, fn: () => void): () => void {
    const timer = setTimeout(() => { this.#timers.delete(timer); fn(); }, Math.max(0, callMs / this.#scale));
    this.#timers.add(timer);
    return () => { clearTimeout(timer); this.#timers.delete(timer); };
  }

  #event(kind: string, fields: Record<string, unknown> = {}): void {
    this.#events.push({ t_ms: Math.round(this.nowMs() * 10) / 10, kind, ...fields });
  }

  #startPump(): void {
    const frameSamples = (this.#rateHz * 20) / 1000;
    const tick = () => {
      this.#pumpTimer = undefined;
      if (this.#fd3 === undefined || !this.#engine.alive) return;
      const due = Math.floor(this.nowMs() / 20);
      while (this.#framesSent < due && this.#fd3 !== undefined) {
        const start = this.#framesSent * frameSamples;
        this.#framesSent += 1;
        let frame = this.#callerAudio.subarray(start, start + frameSamples);
        if (frame.length === 0 && this.#options.afterCallerAudio === 'nothing') continue;
        if (frame.length < frameSamples && start < this.#callerAudio.length) frame = frame.slice();
        if (!this.#audioFlowing) continue;
        this.#writeFd3(frame.length === 0 ? new Int16Array(frameSamples) : frame);
      }
      this.#pumpTimer = setTimeout(tick, Math.max(1, 20 / this.#scale - 1));
    };
    tick();
  }

  #writeFd3(frame: Int16Array): void {
    if (this.#fd3 === undefined) return;
    const bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    try {
      this.#fd3Written += writeSync(this.#fd3, bytes);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        this.#fd3Dropped += bytes.byteLength;
        return;
      }
      this.#event('fd3_write_error', { code });
      this.#closeFd3();
    }
  }

  #closeFd3(): void {
    if (this.#fd3 === undefined) return;
    try { closeSync(this.#fd3); } catch { /* closed */ }
    this.#fd3 = undefined;
  }

  #channelHungUp(cause: string): void {
    this.#hangupAtMs = this.nowMs();
    this.#hangupReal = performance.now();
    if (this.#pumpTimer !== undefined) clearTimeout(this.#pumpTimer);
    const pid = this.#child.pid;
    if (this.#mode.exitOnHangup) {
      this.#stdin.end();
      this.#closeFd3();
      this.#stdout.destroy();
      this.#event('pipes_closed', { cause });
    }
    if (this.#mode.sighup && pid !== undefined && !this.#exited) {
      try {
        process.kill(pid, 'SIGHUP');
        this.#event('signal', { sig: 'SIGHUP' });
      } catch { /* already gone */ }
    }
  }

  #stopAll(): void {
    if (this.#pumpTimer !== undefined) clearTimeout(this.#pumpTimer);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#closeFd3();
    this.#stdin.destroy();
    this.#stdout.destroy();
  }
}
