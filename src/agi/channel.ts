import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import { assertSingleLine, specOf, type CommandSpec } from './command.ts';
import type { AgiEnv } from './env.ts';
import { EnvBlockWait } from './env-wait.ts';
import { AgiError, AgiHangupError, ENDS_OF_OUR_OWN, type HangupCause } from './errors.ts';
import { LineSplitter } from './line-splitter.ts';
import { Interrupter } from './interrupter.ts';
import type { CommandOutcome, Pending } from './pending.ts';
import { armReplyDeadline } from './reply-deadline.ts';
import { settleReply } from './reply-matching.ts';
import { parseReply, ReplyFramer, type AgiReply } from './reply.ts';

export type { CommandOutcome } from './pending.ts';

export interface AgiChannelOptions {
  input: Readable;
  output: Writable;
  logger?: Logger;
  maxLineBytes?: number;
  /** How long to wait for the env block before giving up (default 5000 ms). */
  envTimeoutMs?: number;
  /** After a hangup, how long a written command may wait for its reply (default 2000 ms). */
  deadReplyTimeoutMs?: number;
  /** Reply deadline margin (default 5000 ms, see reply-deadline.ts); a missed deadline is hangup cause `reply-timeout`. */
  replyTimeoutMs?: number;
}

/**
 * One AGI conversation over stdin/stdout: reads the env block, then writes one command per write
 * and matches replies to a FIFO of pending commands. A command is only written after the previous
 * one replied, except the interrupter written by `send(..., { signal })` when the signal aborts.
 *
 * The interrupter is `GET FULL VARIABLE "<nonce>"`, dead-capable and answered with
 * `200 result=1 (<nonce>)`: if the next reply is that one, the interrupted command sent none; any
 * other reply is the interrupted command's own (it finished just before the interrupt).
 *
 * Hangup is one event (`hangupSignal`), whatever reported it; after it only dead-capable commands
 * are written, and none once the pipes are gone.
 */
/** Asterisk reads commands in chunks: an interrupter this soon after its command can share the read (more on a busy box). */
const INTERRUPT_AFTER_WRITE_MS = 100;

export class AgiChannel {
  readonly #input: Readable;
  readonly #output: Writable;
  readonly #logger: Logger;
  readonly #splitter: LineSplitter;
  readonly #framer = new ReplyFramer();
  readonly #env: EnvBlockWait;
  readonly #deadReplyTimeoutMs: number;
  readonly #replyTimeoutMs: number;
  readonly #hangup = new AbortController();
  readonly #closed = new AbortController();
  #queue: Pending[] = [];
  #inFlight: Pending[] = [];
  #writable = true;
  #fatal: Error | undefined;
  readonly #interrupter: Interrupter;
  #onData = (chunk: Buffer | string) => this.#receive(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  #onEnd = () => this.#inputEnded();
  #onInputError = (error: Error) => { this.#logger.warn('AGI', 'stdin error', { error: error.message }); this.#inputEnded(); };
  #onOutputError = (error: Error) => this.#outputFailed(error);

  private constructor(options: AgiChannelOptions) {
    this.#input = options.input;
    this.#output = options.output;
    this.#logger = options.logger ?? silentLogger;
    this.#splitter = new LineSplitter(options.maxLineBytes);
    this.#deadReplyTimeoutMs = options.deadReplyTimeoutMs ?? 2000;
    this.#replyTimeoutMs = options.replyTimeoutMs ?? 5000;
    this.#env = new EnvBlockWait(options.envTimeoutMs ?? 5000);
    this.#interrupter = new Interrupter({
      logger: this.#logger,
      dequeue: (pending) => this.#queue.includes(pending) && this.#queue.splice(this.#queue.indexOf(pending), 1).length === 1,
      running: () => this.#inFlight[0],
      inFlight: (pending) => this.#inFlight.includes(pending),
      writable: () => this.writable,
      fatal: () => this.#fatal !== undefined,
      write: (pending) => this.#write(pending),
    });
  }

  /** Start reading `input`; resolves once the env block is complete. Rejects with a typed AgiError. */
  static open(options: AgiChannelOptions): Promise<{ channel: AgiChannel; env: AgiEnv }> {
    const channel = new AgiChannel(options);
    return channel.#start().then((env) => ({ channel, env }));
  }

  /** Aborted once on hangup; `reason` is an AgiHangupError naming the first cause seen. */
  get hangupSignal(): AbortSignal {
    return this.#hangup.signal;
  }

  get hungUp(): boolean {
    return this.#hangup.signal.aborted;
  }

  /** Whether anything can still be written to Asterisk. */
  get writable(): boolean {
    return this.#writable && this.#fatal === undefined && !this.#closed.signal.aborted;
  }

  /** The protocol error that ended the channel, if one did. */
  get fatalError(): Error | undefined {
    return this.#fatal;
  }

  /**
   * Send one raw command line (no newline). Resolves with its outcome (including 510/511/520
   * replies: the typed helpers in agi.ts turn those into errors). Rejects with AgiHangupError when
   * it cannot be sent because of a hangup, or the channel's fatal AgiError.
   * Aborting `signal` interrupts it: a queued command is dropped, a running interruptible one is
   * stopped by writing the interrupter.
   */
  send(line: string, options: { signal?: AbortSignal | undefined; playbackMs?: number | undefined } = {}): Promise<CommandOutcome> {
    assertSingleLine(line);
    const spec = specOf(line);
    const refusal = this.#refusal(spec);
    if (refusal !== undefined) return Promise.reject(refusal);
    return new Promise<CommandOutcome>((resolve, reject) => {
      const signal = options.signal;
      let cleanup = () => {};
      const pending: Pending = {
        line, spec, nonce: undefined, writtenAtMs: -1, interruptRequested: false, playbackMs: options.playbackMs,
        settle: (outcome) => { cleanup(); clearTimeout(pending.deadlineTimer); resolve(outcome); },
        fail: (error) => { cleanup(); clearTimeout(pending.deadlineTimer); reject(error); },
      };
      if (signal !== undefined) {
        if (signal.aborted) {
          resolve({ reply: undefined, interrupted: true, elapsedMs: 0 });
          return;
        }
        const onAbort = () => this.#interrupter.interrupt(pending);
        signal.addEventListener('abort', onAbort, { once: true });
        cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.#queue.push(pending);
      this.#pump();
    });
  }

  /**
   * Record a hangup reported from outside the pipes (SIGHUP, fd 3 EOF) or deduced from a reply
   * (`511`, `result=-1`). Idempotent: the first cause wins.
   */
  markHangup(cause: HangupCause, detail = ''): void {
    if (this.#hangup.signal.aborted) return;
    this.#logger.info('AGI', 'hangup', { cause, detail: detail === '' ? undefined : detail });
    this.#hangup.abort(new AgiHangupError(cause, detail));
    // Queued commands that Asterisk would refuse now fail fast; written ones keep their reply.
    const keep: Pending[] = [];
    for (const pending of this.#queue) {
      if (pending.spec.deadCapable && this.#writable) keep.push(pending);
      else pending.fail(new AgiHangupError(cause, `not sent: ${pending.line.split(' ')[0] ?? ''}`));
    }
    this.#queue = keep;
    for (const pending of this.#inFlight) this.#armDeadReplyTimer(pending);
    // An end of our own: the channel is still up, so a running playback or wait is stopped to let
    // the status through. Not in the same read as the command it stops (Asterisk would not see it
    // until more bytes came): no sooner than INTERRUPT_AFTER_WRITE_MS after that command.
    const running = this.#inFlight[0];
    if (ENDS_OF_OUR_OWN.has(cause) && running !== undefined) {
      const waitMs = running.writtenAtMs + INTERRUPT_AFTER_WRITE_MS - performance.now();
      if (waitMs <= 0) this.#interrupter.interrupt(running);
      else setTimeout(() => this.#interrupter.interrupt(running), waitMs);
    }
  }

  /** Stop reading, reject what is pending, release stdin (so the process can exit). */
  close(): void {
    if (this.#closed.signal.aborted) return;
    this.#closed.abort();
    this.#failAll(new AgiError('AGI_CHANNEL_CLOSED', 'AGI channel closed'));
    this.#input.off('data', this.#onData);
    this.#input.off('end', this.#onEnd);
    this.#input.off('close', this.#onEnd);
    this.#input.on('error', () => {});
    this.#input.destroy();
    this.#env.fail(new AgiError('AGI_CHANNEL_CLOSED', 'AGI channel closed before the env block'));
  }

  #start(): Promise<AgiEnv> {
    this.#input.on('data', this.#onData);
    this.#input.on('end', this.#onEnd);
    this.#input.on('close', this.#onEnd);
    this.#input.on('error', this.#onInputError);
    this.#output.on('error', this.#onOutputError);
    return this.#env.promise;
  }

  #refusal(spec: CommandSpec): Error | undefined {
    if (this.#fatal !== undefined) return this.#fatal;
    if (this.#closed.signal.aborted) return new AgiError('AGI_CHANNEL_CLOSED', 'AGI channel closed');
    if (this.#hangup.signal.aborted) {
      const reason = this.#hangup.signal.reason as AgiHangupError;
      if (!this.#writable || !spec.deadCapable) return new AgiHangupError(reason.hangupCause, 'command not allowed after hangup');
    }
    return undefined;
  }

  #pump(): void {
    while (this.#inFlight.length === 0 && this.#queue.length > 0) {
      const next = this.#queue.shift() as Pending;
      const refusal = this.#refusal(next.spec);
      if (refusal !== undefined) {
        next.fail(refusal);
        continue;
      }
      this.#write(next);
    }
  }

  #write(pending: Pending): void {
    pending.writtenAtMs = performance.now();
    this.#inFlight.push(pending);
    armReplyDeadline(pending, this.#replyTimeoutMs, (deadlineMs) => this.#replyDeadlinePassed(pending, deadlineMs));
    if (this.#hangup.signal.aborted) this.#armDeadReplyTimer(pending);
    this.#logger.debug('AGI', 'tx', { line: pending.line });
    try {
      this.#output.write(`${pending.line}\n`, (error) => { if (error) this.#outputFailed(error); });
    } catch (error) {
      this.#outputFailed(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #receive(chunk: Buffer): void {
    if (this.#closed.signal.aborted || this.#fatal !== undefined) return;
    let lines: string[];
    try {
      lines = this.#splitter.push(chunk);
    } catch (error) {
      this.#protocolFailure(error as Error);
      return;
    }
    for (const line of lines) {
      if (this.#fatal !== undefined || this.#closed.signal.aborted) return;
      if (!this.#env.done) {
        try {
          this.#env.push(line);
        } catch (error) {
          this.#protocolFailure(error as Error);
        }
        continue;
      }
      const replyLines = this.#framer.push(line);
      if (replyLines !== undefined) this.#dispatch(parseReply(replyLines));
    }
  }

  #dispatch(reply: AgiReply): void {
    if (reply.kind === 'malformed') {
      this.#protocolFailure(new AgiError('AGI_MALFORMED_REPLY', `unparseable reply from Asterisk (${reply.reason}): ${JSON.stringify(reply.lines.join('\n').slice(0, 200))}`, { replyLines: reply.lines }));
      return;
    }
    const head = settleReply(this.#inFlight, reply, performance.now());
    if (head === undefined) {
      this.#logger.warn('AGI', 'reply with no command outstanding, ignored', { line: reply.lines[0]?.slice(0, 200) });
      return;
    }
    if (reply.kind === 'dead-channel') this.markHangup('dead-channel', head.line.split(' ').slice(0, 2).join(' '));
    this.#pump();
  }

  #armDeadReplyTimer(pending: Pending): void {
    setTimeout(() => {
      if (!this.#inFlight.includes(pending)) return;
      this.#inFlight = this.#inFlight.filter((p) => p !== pending);
      pending.fail(new AgiHangupError((this.#hangup.signal.reason as AgiHangupError).hangupCause, `no reply to ${pending.line.split(' ')[0] ?? ''} after hangup`));
      this.#pump();
    }, this.#deadReplyTimeoutMs).unref();
  }

  /** Asterisk did not answer in time: nothing more is written (a late reply would desynchronise the FIFO). */
  #replyDeadlinePassed(pending: Pending, deadlineMs: number): void {
    if (!this.#inFlight.includes(pending) || this.#closed.signal.aborted) return;
    const detail = `no reply to ${pending.line.split(' ').slice(0, 2).join(' ')} within ${deadlineMs} ms`;
    this.#logger.error('AGI', 'Asterisk stopped answering; ending the call', { code: 'AGI_REPLY_TIMEOUT', detail });
    this.#writable = false;
    this.markHangup('reply-timeout', detail);
    this.#failAll(new AgiHangupError('reply-timeout', detail));
  }

  #inputEnded(): void {
    if (this.#closed.signal.aborted) return;
    this.#env.inputEnded(this.#splitter.pendingBytes > 0);
    this.#writable = false;
    this.markHangup('stdin-eof');
    this.#failAll(new AgiHangupError('stdin-eof'));
  }

  #outputFailed(error: Error): void {
    if (!this.#writable) return;
    this.#writable = false;
    const code = (error as NodeJS.ErrnoException).code ?? error.message;
    this.markHangup('epipe', code);
    this.#failAll(new AgiHangupError('epipe', code));
  }

  #protocolFailure(error: Error): void {
    if (this.#fatal !== undefined) return;
    this.#fatal = error;
    this.#logger.error('AGI', 'protocol error, ending the call', { code: (error as AgiError).code, error: error.message });
    this.#env.fail(error);
    this.#failAll(error);
  }

  #failAll(error: Error): void {
    const all = [...this.#inFlight, ...this.#queue];
    this.#inFlight = [];
    this.#queue = [];
    for (const pending of all) pending.fail(error);
  }
}
