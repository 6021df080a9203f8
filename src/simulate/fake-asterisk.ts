import { formatAgiEnv } from '../agi/env.ts';
import { CallClock } from './asterisk/call-clock.ts';
import { CallRecorder, type FakeCallResult } from './asterisk/call-recorder.ts';
import { CallerAudioPump } from './asterisk/caller-audio-pump.ts';
import { CallerScript, type CallerAction } from './asterisk/caller-script.ts';
import { agiEnvBlock, asteriskProcessEnv, makeEagiPipes, spawnEagiProgram, type EagiProcess } from './asterisk/eagi-process.ts';
import { AsteriskEngine } from './asterisk/engine.ts';
import type { FakeAsteriskOptions } from './asterisk/fake-call-options.ts';
import { deliverHangup, HANGUP_MODES, hangupModeVariables, type HangupMode } from './asterisk/hangup-modes.ts';
import { processGroupMembers } from './asterisk/process-group.ts';
import { PhoneLine } from './line/phone-line.ts';

export type { FakeCallResult, FakeEvent, RecorderEntry } from './asterisk/call-recorder.ts';
export type { CallerAction, CallerEvent } from './asterisk/caller-script.ts';
export { asteriskProcessEnv } from './asterisk/eagi-process.ts';
export type { FakeAsteriskOptions } from './asterisk/fake-call-options.ts';
export type { Fd3Frame } from './asterisk/call-recorder.ts';
export { HANGUP_MODES, type HangupMode } from './asterisk/hangup-modes.ts';

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
  readonly #rateHz: number;
  readonly #mode: HangupMode;
  readonly #clock: CallClock;
  readonly #recorder: CallRecorder;
  readonly #script: CallerScript;
  #engine!: AsteriskEngine;
  #program!: EagiProcess;
  #pump!: CallerAudioPump;
  #exited = false;
  #killed = false;

  private constructor(options: FakeAsteriskOptions, finished: Promise<FakeCallResult>) {
    this.#options = options;
    this.finished = finished;
    this.#clock = new CallClock(options.timeScale ?? 1);
    this.#rateHz = options.audioFormat === 'slin16' ? 16000 : 8000;
    this.#mode = options.hangupMode ?? HANGUP_MODES.default;
    this.#recorder = new CallRecorder(() => this.nowMs(), options.onRecord);
    this.#script = new CallerScript(options.events ?? [], this.#clock, (action) => this.#act(action));
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
    return this.#clock.nowMs();
  }

  get channelRateHz(): number {
    return this.#rateHz;
  }

  pressDigits(digits: string): void {
    [...digits].forEach((digit, i) => this.#clock.after(i * 250, () => this.#engine.pressDigit(digit)));
  }

  /** The caller hangs up. */
  hangup(): void {
    this.#engine.hangup('caller');
  }

  async #start(resolveFinished: (result: FakeCallResult) => void): Promise<void> {
    const options = this.#options;
    const recorder = this.#recorder;
    const { resampleLinear } = await import('./asterisk/sounds.ts');
    const callerAudio = resampleLinear(options.callerAudio ?? new Int16Array(0), options.callerRateHz ?? this.#rateHz, this.#rateHz);
    const line = options.line === undefined ? undefined : new PhoneLine(options.line, this.#rateHz);
    const pipes = await makeEagiPipes();
    const args = options.args ?? [];
    const [file, ...commandArgs] = options.command;
    if (file === undefined) throw new Error('FakeAsteriskOptions.command is empty');
    const variables: Record<string, string> = { ...options.variables, ...hangupModeVariables(this.#mode) };
    if (options.audioFormat === 'slin16') variables['EAGI_AUDIO_FORMAT'] = 'slin16';
    const channelName = options.channelName ?? 'Local/voicebot@simulate-00000000;1';
    const facts = {
      channelName, extension: options.extension ?? 's', context: options.context ?? 'voicebot',
      callerIdNum: options.callerIdNum ?? '5551234', callerIdName: options.callerIdName ?? 'Simulated Caller',
    };
    this.#engine = new AsteriskEngine({
      commandStarted: () => this.#script.commandReceived(),
      commandDone: (record) => { recorder.command(record); this.#script.commandReplied(); },
      nowMs: () => this.nowMs(),
      after: (ms, fn) => this.#clock.after(ms, fn),
      write: (text) => { const stdin = this.#program.stdin; if (!stdin.destroyed && stdin.writable) stdin.write(text); },
      playbackStarted: (start) => line?.playbackStarted(start.startMs, start.samples, start.sampleRateHz),
      hungUp: (cause) => this.#channelHungUp(cause),
      setAudioFlowing: (flowing) => this.#pump.setFlowing(flowing),
      played: (playback) => recorder.played(playback),
      event: (kind, fields) => recorder.event(kind, fields),
    }, { ...facts, soundsDir: options.soundsDir ?? '/var/lib/asterisk/sounds/en', channelRateHz: this.#rateHz, variables });

    const program = spawnEagiProgram(pipes, {
      file, argv: [...commandArgs, ...args], cwd: options.cwd, env: { ...asteriskProcessEnv(), ...options.env },
      onStdout: (text) => this.#engine.receive(text),
      onStderr: (text) => { recorder.stderr(text); options.onStderr?.(text); },
      event: (kind, fields) => recorder.event(kind, fields),
    });
    this.#program = program;
    const pid = program.pid;
    recorder.event('spawned', { pid });
    this.#pump = new CallerAudioPump({
      fd: program.fd3, audio: callerAudio, rateHz: this.#rateHz, afterAudio: options.afterCallerAudio, scale: this.#clock.scale,
      line: line === undefined ? undefined : (index, caller) => line.frame(index, caller),
      sent: (index, samples) => recorder.fd3Frames.push({ index, samples }),
      nowMs: () => this.nowMs(), alive: () => this.#engine.alive, event: (kind, fields) => recorder.event(kind, fields),
    });

    program.stdin.write(formatAgiEnv(agiEnvBlock({ ...facts, args })));
    this.#pump.start();
    this.#script.start();
    const killTimer = setTimeout(() => {
      this.#killed = true;
      recorder.event('kill', { reason: 'killAfterMs' });
      try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
    }, options.killAfterMs ?? 120_000);

    void program.exited.then(async ({ code, signal }) => {
      clearTimeout(killTimer);
      this.#exited = true;
      const exitAtMs = this.nowMs();
      const exitRealMs = performance.now();
      recorder.event('exit', { code, signal });
      this.#stopAll();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const leftoverPids = processGroupMembers(pid);
      for (const leftover of leftoverPids) { try { process.kill(leftover, 'SIGKILL'); } catch { /* gone */ } }
      resolveFinished(recorder.result({
        exitCode: code, exitSignal: signal, killed: this.#killed, exitAtMs, exitRealMs, leftoverPids,
        fd3BytesWritten: this.#pump.bytesWritten, fd3BytesDropped: this.#pump.bytesDropped, fd3DroppedAtMs: this.#pump.droppedAtMs, channelRateHz: this.#rateHz, pid,
      }));
    });
  }

  #act(action: CallerAction): void {
    if (this.#exited) return;
    if (action.action === 'dtmf') this.pressDigits(action.digits);
    else this.hangup();
  }

  #channelHungUp(cause: string): void {
    this.#recorder.hungUp();
    this.#pump.stop();
    const program = this.#program;
    deliverHangup(this.#mode, cause, {
      pid: program.child.pid, exited: this.#exited,
      closePipes: () => { program.stdin.end(); this.#pump.close(); program.stdout.destroy(); },
      event: (kind, fields) => this.#recorder.event(kind, fields),
    });
  }

  #stopAll(): void {
    this.#pump.stop();
    this.#clock.cancelAll();
    this.#pump.close();
    this.#program.stdin.destroy();
    this.#program.stdout.destroy();
  }
}
