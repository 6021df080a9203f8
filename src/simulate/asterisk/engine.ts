import type { CommandContext, Running } from './command-context.ts';
import { runCommand } from './commands.ts';
import type { EngineHost, EngineOptions } from './engine-types.ts';
import { startPlayback } from './playback.ts';
import { DEAD_CAPABLE, findCommand, parseArgs, REPLY_DEAD, REPLY_INVALID, usageReply } from './protocol.ts';
import { loadSound } from './sounds.ts';

export type { CommandRecord, EngineHost, EngineOptions, PlaybackRecord } from './engine-types.ts';

/**
 * The AGI side of a fake Asterisk 22 channel: parses command lines like res_agi, answers with the
 * exact reply strings, runs playback and waits on a clock, applies DTMF, interruption and hangup
 * semantics measured on the real thing. Transport-agnostic: the host moves the bytes.
 */
export class AsteriskEngine {
  readonly #host: EngineHost;
  readonly #options: EngineOptions;
  readonly #variables = new Map<string, string>();
  readonly #database = new Map<string, string>();
  #alive = true;
  #running: Running | undefined;
  #waiting: string[] = [];
  #deferred: string[] = [];
  #partial = '';
  #cancelAutoHangup: (() => void) | undefined;

  constructor(host: EngineHost, options: EngineOptions) {
    this.#host = host;
    this.#options = options;
    for (const [key, value] of Object.entries(options.variables ?? {})) this.#variables.set(key, value);
  }

  get alive(): boolean {
    return this.#alive;
  }

  /**
   * Bytes written by the script. Like res_agi reading through stdio buffering, each write answers
   * the lines left over from earlier writes plus the first line of this one; later lines of the
   * same write wait for the next write.
   */
  receive(text: string): void {
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    const now = [...this.#deferred];
    this.#deferred = [];
    if (parts.length > 0) now.push(parts[0] ?? '');
    this.#deferred = parts.slice(1);
    for (const line of now) this.#arrive(line);
  }

  /** The caller presses a key. Lost when no command is listening (as on Asterisk). */
  pressDigit(digit: string): void {
    const handler = this.#running?.digit;
    this.#host.event('dtmf', { digit, heard: handler !== undefined });
    handler?.(digit);
  }

  /** The channel hangs up (caller, HANGUP command, autohangup). */
  hangup(cause: string): void {
    if (!this.#alive) return;
    this.#alive = false;
    this.#cancelAutoHangup?.();
    this.#host.event('hangup', { cause });
    this.#running?.hangup();
    this.#host.hungUp(cause);
  }

  #arrive(line: string): void {
    const running = this.#running;
    if (running !== undefined) {
      if (running.interrupt === 'queues') {
        this.#waiting.push(line);
        return;
      }
      running.stop();
    }
    this.#execute(line);
  }

  #execute(line: string): void {
    const started = this.#host.nowMs();
    const dead = !this.#alive;
    this.#host.commandStarted(line);
    let done = false;
    const finish = (reply: string[], interrupted = false) => {
      if (done) return;
      done = true;
      this.#running = undefined;
      if (reply.length > 0) this.#host.write(reply.map((l) => `${l}\n`).join(''));
      this.#host.commandDone({ t_ms: round(started), cmd: line, reply, elapsed_ms: round(this.#host.nowMs() - started), interrupted, dead });
      while (this.#running === undefined && this.#waiting.length > 0) this.#execute(this.#waiting.shift() ?? '');
    };
    const argv = parseArgs(line);
    const name = findCommand(argv);
    if (name === undefined) return finish([REPLY_INVALID]);
    if (!this.#alive && !DEAD_CAPABLE.has(name)) return finish([REPLY_DEAD]);
    runCommand(this.#context(name, argv, started, finish));
  }

  #context(name: string, argv: string[], startedMs: number, finish: CommandContext['finish']): CommandContext {
    const host = this.#host;
    return {
      name, argv, startedMs, host, variables: this.#variables, database: this.#database,
      alive: () => this.#alive,
      lookup: (n) => this.#lookup(n),
      sound: (n) => loadSound(n, this.#options.soundsDir, this.#options.channelRateHz),
      play: (sound, offset, completed) => startPlayback(host, sound, offset, completed),
      finish,
      ok: (text) => finish([`200 ${text}`]),
      usage: () => finish(usageReply(name)),
      run: (running) => { this.#running = running; },
      hangup: (cause) => this.hangup(cause),
      setAutoHangup: (seconds) => {
        this.#cancelAutoHangup?.();
        this.#cancelAutoHangup = seconds > 0 ? host.after(seconds * 1000, () => this.hangup('autohangup')) : undefined;
      },
    };
  }

  #lookup(name: string): string | undefined {
    const options = this.#options;
    switch (name) {
      case 'CHANNEL': return options.channelName;
      case 'EXTEN': return options.extension;
      case 'CONTEXT': return options.context;
      case 'CHANNEL(state)': return this.#alive ? 'Up' : 'Down';
      case 'CALLERID(num)': return options.callerIdNum;
      case 'CALLERID(name)': return options.callerIdName;
      default: return this.#variables.get(name);
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
