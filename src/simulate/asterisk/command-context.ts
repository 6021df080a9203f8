import type { EngineHost } from './engine-types.ts';
import type { Playback } from './playback.ts';
import type { Sound } from './sounds.ts';

/** A command that keeps running after it started: how it reacts to what happens meanwhile. */
export interface Running {
  /** silent: stops without reply; answers: replies `200 result=1`; queues: new commands wait. */
  interrupt: 'silent' | 'answers' | 'queues';
  digit?: (digit: string) => void;
  /** Stop because a new command arrived (silent/answers only). */
  stop: () => void;
  hangup: () => void;
}

/** What a command handler gets from the engine for one command line. */
export interface CommandContext {
  /** The command words as matched in the command table (`STREAM FILE`). */
  readonly name: string;
  readonly argv: readonly string[];
  /** Call time the command arrived. */
  readonly startedMs: number;
  readonly host: EngineHost;
  /** Channel variables (dialplan-set and SET VARIABLE). */
  readonly variables: Map<string, string>;
  /** AstDB, keyed `family/key`. */
  readonly database: Map<string, string>;
  /** Whether the channel is up now (it changes on hangup). */
  alive(): boolean;
  /** A channel variable or the built-in channel values (CHANNEL, EXTEN, CALLERID(num), ...). */
  lookup(name: string): string | undefined;
  sound(name: string): Sound | undefined;
  play(sound: Sound, offset: number, completed: () => void): Playback;
  /** Write the reply lines (if any) and record the command; later calls are ignored. */
  finish(reply: string[], interrupted?: boolean): void;
  /** Finish with `200 <text>`. */
  ok(text: string): void;
  /** Finish with the 520 usage reply. */
  usage(): void;
  /** The command stays running until one of `running`'s handlers or a timer finishes it. */
  run(running: Running): void;
  hangup(cause: string): void;
  /** Hang up after `seconds` of call time; 0 or less cancels. */
  setAutoHangup(seconds: number): void;
}
