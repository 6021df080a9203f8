import type { CommandRecord, PlaybackRecord } from './engine-types.ts';

export interface FakeEvent {
  t_ms: number;
  kind: string;
  [key: string]: unknown;
}

/** One frame the fake wrote to fd 3 whole: frame `index` covers call time index·20 ms on. */
export interface Fd3Frame {
  index: number;
  samples: Int16Array;
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
  /** Every frame written to fd 3 (caller audio as the line delivered it), in order; gaps are frames absent. */
  fd3Frames: Fd3Frame[];
  stderr: string;
  channelRateHz: number;
  pid: number;
}

/** What the recorder does not observe itself, given when the program has exited. */
export type ExitFacts = Omit<FakeCallResult, 'commands' | 'events' | 'playbacks' | 'fd3Frames' | 'hangupAtMs' | 'exitAfterHangupRealMs' | 'stderr'> & {
  /** performance.now() at the exit. */
  exitRealMs: number;
};

/** Everything observed during one fake call: commands, events, bot audio, fd 3 frames, stderr, the hangup time. */
export class CallRecorder {
  readonly commands: CommandRecord[] = [];
  readonly events: FakeEvent[] = [];
  readonly playbacks: PlaybackRecord[] = [];
  readonly fd3Frames: Fd3Frame[] = [];
  readonly #nowMs: () => number;
  #stderr = '';
  #hangupAtMs: number | undefined;
  #hangupRealMs: number | undefined;

  constructor(nowMs: () => number) {
    this.#nowMs = nowMs;
  }

  event(kind: string, fields: Record<string, unknown> = {}): void {
    this.events.push({ t_ms: Math.round(this.#nowMs() * 10) / 10, kind, ...fields });
  }

  stderr(text: string): void {
    this.#stderr += text;
  }

  /** The channel hung up now. */
  hungUp(): void {
    this.#hangupAtMs = this.#nowMs();
    this.#hangupRealMs = performance.now();
  }

  result(exit: ExitFacts): FakeCallResult {
    return {
      exitCode: exit.exitCode, exitSignal: exit.exitSignal, killed: exit.killed,
      commands: this.commands, events: this.events, playbacks: this.playbacks, fd3Frames: this.fd3Frames,
      hangupAtMs: this.#hangupAtMs, exitAtMs: exit.exitAtMs,
      exitAfterHangupRealMs: this.#hangupRealMs === undefined ? undefined : exit.exitRealMs - this.#hangupRealMs,
      leftoverPids: exit.leftoverPids, fd3BytesWritten: exit.fd3BytesWritten, fd3BytesDropped: exit.fd3BytesDropped,
      stderr: this.#stderr, channelRateHz: exit.channelRateHz, pid: exit.pid,
    };
  }
}
