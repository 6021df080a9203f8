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
  /** Wall-clock times (epoch ms) of the frames dropped on a full pipe. */
  fd3DroppedAtMs: readonly number[];
  /** Every frame written to fd 3 (caller audio as the line delivered it), in order; gaps are frames absent. */
  fd3Frames: Fd3Frame[];
  stderr: string;
  channelRateHz: number;
  pid: number;
}

/** One observation as it happens, for a live view of the call. */
export type RecorderEntry =
  | { type: 'command'; record: CommandRecord }
  | { type: 'playback'; record: PlaybackRecord }
  | { type: 'event'; event: FakeEvent };

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
  readonly #listener: ((entry: RecorderEntry) => void) | undefined;
  #stderr = '';
  #hangupAtMs: number | undefined;
  #hangupRealMs: number | undefined;

  constructor(nowMs: () => number, listener?: (entry: RecorderEntry) => void) {
    this.#nowMs = nowMs;
    this.#listener = listener;
  }

  event(kind: string, fields: Record<string, unknown> = {}): void {
    const event = { t_ms: Math.round(this.#nowMs() * 10) / 10, kind, ...fields };
    this.events.push(event);
    this.#listener?.({ type: 'event', event });
  }

  command(record: CommandRecord): void {
    this.commands.push(record);
    this.#listener?.({ type: 'command', record });
  }

  played(record: PlaybackRecord): void {
    this.playbacks.push(record);
    this.#listener?.({ type: 'playback', record });
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
      fd3DroppedAtMs: exit.fd3DroppedAtMs, stderr: this.#stderr, channelRateHz: exit.channelRateHz, pid: exit.pid,
    };
  }
}
