import { DEAD_CAPABLE, findCommand, parseArgs, REPLY_DEAD, REPLY_INVALID, substitute, usageReply } from './protocol.ts';
import { loadSound, type Sound } from './sounds.ts';

/** What the engine needs from the process around it. Times are call time in ms. */
export interface EngineHost {
  nowMs(): number;
  /** Run `fn` after `delayMs` of call time; returns a cancel function. */
  after(delayMs: number, fn: () => void): () => void;
  /** Bytes to the script's stdin. */
  write(text: string): void;
  /** The channel just hung up (after the running command's reply was written). */
  hungUp(cause: string): void;
  /** fd 3 carries caller audio except during EXEC, CONTROL STREAM FILE and RECORD FILE. */
  setAudioFlowing(flowing: boolean): void;
  played(playback: PlaybackRecord): void;
  commandStarted(line: string): void;
  commandDone(record: CommandRecord): void;
  event(kind: string, fields?: Record<string, unknown>): void;
}

/** One command as the fake Asterisk saw it, in the shape of testdata/asterisk-22/commands/*.jsonl. */
export interface CommandRecord {
  t_ms: number;
  cmd: string;
  /** Exact reply lines; empty when the command was interrupted without a reply. */
  reply: string[];
  elapsed_ms: number;
  interrupted: boolean;
  /** The channel was already hung up when the command arrived. */
  dead: boolean;
}

/** Bot audio that reached the caller: `samples` from `startMs` on, at `sampleRateHz`. */
export interface PlaybackRecord {
  startMs: number;
  file: string;
  samples: Int16Array;
  sampleRateHz: number;
  how: 'completed' | 'digit' | 'interrupted' | 'hangup';
}

export interface EngineOptions {
  channelName: string;
  extension: string;
  context: string;
  callerIdNum: string;
  callerIdName: string;
  soundsDir: string;
  /** Rate of the channel (8000 for slin, 16000 for slin16). */
  channelRateHz: number;
  variables?: Record<string, string>;
}

interface Running {
  /** silent: stops without reply; answers: replies `200 result=1`; queues: new commands wait. */
  interrupt: 'silent' | 'answers' | 'queues';
  digit?: (digit: string) => void;
  /** Stop because a new command arrived (silent/answers only). */
  stop: () => void;
  hangup: () => void;
}

const FRAME_MS = 20;

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
    const ok = (text: string) => finish([`200 ${text}`]);
    const usage = () => finish(usageReply(name));
    const argc = argv.length;
    const arg = (i: number) => argv[i] ?? '';
    switch (name) {
      case 'ANSWER': return ok('result=0');
      case 'HANGUP':
        ok('result=1');
        this.hangup('agi-hangup');
        return;
      case 'VERBOSE': return argc < 2 ? usage() : ok('result=1');
      case 'NOOP': case 'ASYNCAGI BREAK': case 'TDD MODE': case 'SET MUSIC': case 'SET CALLERID': case 'GOSUB': case 'SEND TEXT': case 'SEND IMAGE':
        return ok('result=0');
      case 'SET CONTEXT': case 'SET EXTENSION': case 'SET PRIORITY': return argc !== 3 ? usage() : ok('result=0');
      case 'CHANNEL STATUS': return ok('result=6');
      case 'GET VARIABLE': {
        if (argc !== 3) return usage();
        const value = this.#lookup(arg(2));
        return ok(value === undefined ? 'result=0' : `result=1 (${value})`);
      }
      case 'GET FULL VARIABLE':
        if (argc < 4 || argc > 5) return usage();
        return ok(`result=1 (${substitute(arg(3), (n) => this.#lookup(n))})`);
      case 'SET VARIABLE':
        if (argc !== 4) return usage();
        this.#variables.set(arg(2), arg(3));
        return ok('result=1');
      case 'DATABASE PUT':
        if (argc !== 5) return usage();
        this.#database.set(`${arg(2)}/${arg(3)}`, arg(4));
        return ok('result=1');
      case 'DATABASE GET': {
        if (argc !== 4) return usage();
        const value = this.#database.get(`${arg(2)}/${arg(3)}`);
        return ok(value === undefined ? 'result=0' : `result=1 (${value})`);
      }
      case 'DATABASE DEL': return argc !== 4 ? usage() : ok(`result=${this.#database.delete(`${arg(2)}/${arg(3)}`) ? 1 : 0}`);
      case 'DATABASE DELTREE': return ok('result=1');
      case 'SAY ALPHA': case 'SAY DIGITS': case 'SAY NUMBER': case 'SAY PHONETIC': case 'SAY DATE': case 'SAY TIME': case 'SAY DATETIME':
        return argc < 4 ? usage() : ok('result=-1');
      case 'RECEIVE TEXT': return ok('result=-1');
      case 'RECEIVE CHAR': {
        const cancel = this.#host.after(Math.max(0, Number.parseInt(arg(2), 10) || 0), () => ok('result=-1 (hangup)'));
        this.#running = { interrupt: 'queues', stop: () => {}, hangup: () => { cancel(); ok('result=-1'); } };
        return;
      }
      case 'SET AUTOHANGUP': {
        if (argc !== 3) return usage();
        const seconds = Number.parseFloat(arg(2));
        this.#cancelAutoHangup?.();
        this.#cancelAutoHangup = seconds > 0 ? this.#host.after(seconds * 1000, () => this.hangup('autohangup')) : undefined;
        return ok('result=0');
      }
      case 'WAIT FOR DIGIT': {
        const timeout = Number.parseInt(arg(3), 10);
        if (argc !== 4 || Number.isNaN(timeout)) return usage();
        const cancel = timeout < 0 ? () => {} : this.#host.after(timeout, () => ok('result=0'));
        this.#running = {
          interrupt: 'answers',
          digit: (d) => { cancel(); ok(`result=${d.charCodeAt(0)}`); },
          stop: () => { cancel(); ok('result=1'); },
          hangup: () => { cancel(); ok('result=-1'); },
        };
        return;
      }
      case 'STREAM FILE': {
        if (argc < 4 || argc > 5) return usage();
        const sound = this.#sound(arg(2));
        if (sound === undefined) {
          this.#variables.set('PLAYBACKSTATUS', 'FAILED');
          return ok('result=-1 endpos=0');
        }
        const escape = arg(3);
        const play = this.#play(sound, Number.parseInt(arg(4), 10) || 0, () => {
          this.#variables.set('PLAYBACKSTATUS', 'SUCCESS');
          ok(`result=0 endpos=${sound.samples.length}`);
        });
        this.#running = {
          interrupt: 'silent',
          digit: (d) => { if (escape.includes(d)) ok(`result=${d.charCodeAt(0)} endpos=${play.stop('digit')}`); },
          stop: () => { play.stop('interrupted'); finish([], true); },
          hangup: () => ok(`result=-1 endpos=${play.stop('hangup')}`),
        };
        return;
      }
      case 'GET OPTION': case 'GET DATA': return this.#getDigits(name, argv, ok, usage, finish);
      case 'CONTROL STREAM FILE': {
        if (argc < 5) return usage();
        const sound = this.#sound(arg(3));
        if (sound === undefined) {
          this.#variables.set('CPLAYBACKSTATUS', 'ERROR');
          return ok('result=-1 endpos=-1');
        }
        const stopDigits = arg(4);
        this.#host.setAudioFlowing(false);
        const end = (text: string) => { this.#host.setAudioFlowing(true); ok(text); };
        const play = this.#play(sound, 0, () => {
          this.#variables.set('CPLAYBACKSTATUS', 'SUCCESS');
          this.#variables.set('CPLAYBACKOFFSET', '-1');
          end('result=0 endpos=-1');
        });
        this.#running = {
          interrupt: 'queues',
          digit: (d) => {
            if (!stopDigits.includes(d)) return;
            const offsetMs = Math.round((play.stop('digit') / sound.sampleRateHz) * 1000);
            this.#variables.set('CPLAYBACKSTATUS', 'USERSTOPPED');
            this.#variables.set('CPLAYBACKOFFSET', String(offsetMs));
            this.#variables.set('CPLAYBACKSTOPKEY', d);
            end(`result=${d.charCodeAt(0)} endpos=${offsetMs}`);
          },
          stop: () => {},
          hangup: () => { play.stop('hangup'); end('result=-1 endpos=-1'); },
        };
        return;
      }
      case 'EXEC': return this.#exec(argv, ok, usage);
      case 'RECORD FILE': {
        if (argc < 6) return usage();
        const escape = arg(4);
        const timeoutMs = Number.parseInt(arg(5), 10);
        this.#host.setAudioFlowing(false);
        const end = (text: string) => { cancel(); this.#host.setAudioFlowing(true); ok(text); };
        const samples = () => Math.round(((this.#host.nowMs() - started) / 1000) * 8000);
        const cancel = timeoutMs > 0 ? this.#host.after(timeoutMs, () => end(`result=0 (timeout) endpos=${samples()}`)) : () => {};
        this.#running = {
          interrupt: 'queues',
          digit: (d) => { if (escape.includes(d)) end(`result=${d.charCodeAt(0)} (dtmf) endpos=${samples()}`); },
          stop: () => {},
          hangup: () => end(`result=-1 (hangup) endpos=${samples()}`),
        };
        return;
      }
      default:
        return ok('result=0');
    }
  }

  #getDigits(name: 'GET OPTION' | 'GET DATA', argv: string[], ok: (t: string) => void, usage: () => void, finish: (r: string[], i?: boolean) => void): void {
    const option = name === 'GET OPTION';
    if (argv.length < (option ? 4 : 3)) return usage();
    const sound = this.#sound(argv[2] ?? '');
    const escape = option ? argv[3] ?? '' : '0123456789*#';
    const timeoutMs = Number.parseInt(argv[option ? 4 : 3] ?? '', 10) || (option ? 5000 : 2000);
    const maxDigits = option ? 1 : Number.parseInt(argv[4] ?? '', 10) || 1024;
    const total = sound?.samples.length ?? 0;
    let digits = '';
    let cancelWait = () => {};
    const done = (text: string) => { cancelWait(); ok(text); };
    const wait = () => {
      cancelWait();
      cancelWait = this.#host.after(timeoutMs, () => {
        if (option) done(`result=0 endpos=${total}`);
        else done(digits === '' ? 'result= (timeout)' : `result=${digits} (timeout)`);
      });
    };
    const play = sound === undefined ? undefined : this.#play(sound, 0, wait);
    if (play === undefined) wait();
    this.#running = {
      interrupt: 'silent',
      digit: (d) => {
        const position = play?.stop('digit') ?? total;
        if (option) {
          if (escape.includes(d)) done(`result=${d.charCodeAt(0)} endpos=${position}`);
          return;
        }
        if (d === '#') return done(`result=${digits}`);
        digits += d;
        if (digits.length >= maxDigits) return done(`result=${digits}`);
        wait();
      },
      stop: () => { cancelWait(); play?.stop('interrupted'); finish([], true); },
      hangup: () => { play?.stop('hangup'); done(option ? `result=-1 endpos=${play?.stop('hangup') ?? 0}` : 'result=-1'); },
    };
  }

  #exec(argv: string[], ok: (t: string) => void, usage: () => void): void {
    if (argv.length < 2) return usage();
    const app = (argv[1] ?? '').toLowerCase();
    const appArgs = argv.slice(2).join(' ');
    switch (app) {
      case 'playback': {
        const sound = this.#alive ? this.#sound(appArgs.split(',')[0] ?? '') : undefined;
        if (sound === undefined) {
          this.#variables.set('PLAYBACKSTATUS', 'FAILED');
          return ok(this.#alive ? 'result=0' : 'result=-1');
        }
        this.#host.setAudioFlowing(false);
        const play = this.#play(sound, 0, () => {
          this.#host.setAudioFlowing(true);
          this.#variables.set('PLAYBACKSTATUS', 'SUCCESS');
          ok('result=0');
        });
        this.#running = { interrupt: 'queues', stop: () => {}, hangup: () => { play.stop('hangup'); this.#host.setAudioFlowing(true); ok('result=-1'); } };
        return;
      }
      case 'set': {
        const [key, ...rest] = appArgs.split('=');
        if (key !== undefined && key !== '') this.#variables.set(key, rest.join('='));
        return ok('result=0');
      }
      case 'wait': {
        const cancel = this.#host.after((Number.parseFloat(appArgs) || 0) * 1000, () => ok('result=0'));
        this.#running = { interrupt: 'queues', stop: () => {}, hangup: () => { cancel(); ok('result=-1'); } };
        return;
      }
      case 'verbose': case 'noop': case 'log': case 'senddtmf': return ok('result=0');
      case 'hangup':
        ok('result=-1');
        this.hangup('exec-hangup');
        return;
      default: return ok('result=-2');
    }
  }

  /** Start playing; `stop()` returns the sample position reached (frame granularity, as Asterisk). */
  #play(sound: Sound, offset: number, completed: () => void): { stop: (how: PlaybackRecord['how']) => number } {
    const total = sound.samples.length;
    const from = Math.min(Math.max(0, offset), total);
    const startMs = this.#host.nowMs();
    const samplesPerFrame = (sound.sampleRateHz * FRAME_MS) / 1000;
    let stopped = false;
    const record = (to: number, how: PlaybackRecord['how']) => {
      this.#host.played({ startMs, file: sound.path, samples: sound.samples.subarray(from, to), sampleRateHz: sound.sampleRateHz, how });
    };
    const cancel = this.#host.after(((total - from) / sound.sampleRateHz) * 1000, () => {
      stopped = true;
      record(total, 'completed');
      completed();
    });
    return {
      stop: (how) => {
        const frames = Math.floor((this.#host.nowMs() - startMs) / FRAME_MS);
        const position = Math.min(total, from + frames * samplesPerFrame);
        if (!stopped) {
          stopped = true;
          cancel();
          record(position, how);
        }
        return position;
      },
    };
  }

  #sound(name: string): Sound | undefined {
    return loadSound(name, this.#options.soundsDir, this.#options.channelRateHz);
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
