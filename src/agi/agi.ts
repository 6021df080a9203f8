import type { AgiChannel, CommandOutcome } from './channel.ts';
import { bareArg, buildCommand, quoteArg } from './command.ts';
import { AgiError, AgiHangupError } from './errors.ts';
import type { AgiReply } from './reply.ts';

type Success = Extract<AgiReply, { kind: 'success' }>;

export interface StreamFileOptions {
  /** DTMF digits that stop playback (`0-9*#`); empty = none. */
  escapeDigits?: string;
  /** Start this many samples (of the file's own rate) into the file. */
  offsetSamples?: number;
  /** Abort = barge-in: playback stops at once. */
  signal?: AbortSignal | undefined;
  /** How long the file plays; its reply deadline is this plus the channel's margin (undefined: unknown). */
  playbackMs?: number | undefined;
}

export interface StreamFileResult {
  /** Raw `result=`: 0 played to the end, a digit's ASCII code, or -1 (missing file). */
  result: number;
  /** The escape digit pressed, if one stopped playback. */
  digit: string | undefined;
  /** Samples of the file played up to where it stopped (undefined when interrupted: Asterisk said nothing). */
  endposSamples: number | undefined;
  /** Stopped by our signal (barge-in) rather than by its end or a digit. */
  interrupted: boolean;
}

export interface WaitForDigitResult {
  /** The key pressed, or undefined on timeout / interruption. */
  digit: string | undefined;
  interrupted: boolean;
}

/**
 * Typed AGI commands over one channel. 510/520 replies throw `AgiError` (`AGI_INVALID_COMMAND`,
 * `AGI_USAGE`), 511 and `result=-1` on a live-only command throw `AgiHangupError` after marking
 * the hangup on the channel.
 */
export class Agi {
  readonly channel: AgiChannel;

  constructor(channel: AgiChannel) {
    this.channel = channel;
  }

  async answer(): Promise<void> {
    const reply = await this.#success(buildCommand('ANSWER'));
    if (reply.resultNumber === -1) this.#hangupFromResult('ANSWER');
  }

  /** Hang up the channel; Asterisk then sends SIGHUP (default AGISIGHUP). */
  async hangup(): Promise<void> {
    await this.#success(buildCommand('HANGUP'));
    this.channel.markHangup('hangup-command');
  }

  async verbose(message: string, level = 1): Promise<void> {
    await this.#success(buildCommand('VERBOSE', quoteArg(message), String(level)));
  }

  /** A channel variable, or undefined when it is not set. */
  async getVariable(name: string): Promise<string | undefined> {
    const reply = await this.#success(buildCommand('GET VARIABLE', bareArg(name)));
    return reply.resultNumber === 1 ? reply.data ?? '' : undefined;
  }

  /** Evaluate an expression such as `${CALLERID(num)}`. */
  async getFullVariable(expression: string): Promise<string | undefined> {
    const reply = await this.#success(buildCommand('GET FULL VARIABLE', bareArg(expression)));
    return reply.resultNumber === 1 ? reply.data ?? '' : undefined;
  }

  async setVariable(name: string, value: string): Promise<void> {
    await this.#success(buildCommand('SET VARIABLE', bareArg(name), quoteArg(value)));
  }

  async noop(text?: string): Promise<void> {
    await this.#success(text === undefined ? buildCommand('NOOP') : buildCommand('NOOP', quoteArg(text)));
  }

  /** Run a dialplan application; returns its result (-2: no such application). */
  async exec(application: string, args = ''): Promise<number> {
    const line = args === '' ? buildCommand('EXEC', bareArg(application)) : buildCommand('EXEC', bareArg(application), quoteArg(args));
    const reply = await this.#success(line);
    return reply.resultNumber ?? 0;
  }

  /** Asterisk channel state number (6 = up). */
  async channelStatus(): Promise<number> {
    const reply = await this.#success(buildCommand('CHANNEL STATUS'));
    if (reply.resultNumber === -1) this.#hangupFromResult('CHANNEL STATUS');
    return reply.resultNumber ?? -1;
  }

  async setAutoHangup(seconds: number): Promise<void> {
    await this.#success(buildCommand('SET AUTOHANGUP', String(Math.max(0, Math.floor(seconds)))));
  }

  /**
   * Play a sound file (name without extension; absolute paths work) while fd 3 keeps streaming.
   * A missing file throws `AGI_PLAYBACK_FAILED`; a hangup during playback throws AgiHangupError.
   */
  async streamFile(name: string, options: StreamFileOptions = {}): Promise<StreamFileResult> {
    const escapeDigits = options.escapeDigits ?? '';
    if (!/^[0-9*#]*$/.test(escapeDigits)) throw new AgiError('AGI_BAD_ARGUMENT', `escape digits must be 0-9, * or #: ${JSON.stringify(escapeDigits)}`);
    const args = [bareArg(name), quoteArg(escapeDigits)];
    if (options.offsetSamples !== undefined && options.offsetSamples > 0) args.push(String(Math.floor(options.offsetSamples)));
    const outcome = await this.channel.send(buildCommand('STREAM FILE', ...args), { signal: options.signal, playbackMs: options.playbackMs });
    if (outcome.reply === undefined) return { result: 0, digit: undefined, endposSamples: undefined, interrupted: true };
    const reply = this.#expectSuccess(outcome, 'STREAM FILE');
    const result = reply.resultNumber ?? 0;
    if (result === -1) {
      await this.#probeHangup('STREAM FILE');
      throw new AgiError('AGI_PLAYBACK_FAILED', `Asterisk could not play ${name} (result=-1 endpos=${reply.endpos ?? '?'}): the file is missing or in a format Asterisk cannot read; write .sln (8 kHz) or .sln16 (16 kHz) and pass the path without extension`, { replyLines: reply.lines });
    }
    return {
      result,
      digit: result > 0 ? String.fromCharCode(result) : undefined,
      endposSamples: reply.endpos,
      interrupted: false,
    };
  }

  /**
   * Listen for one DTMF key for up to `timeoutMs` (-1 = forever). fd 3 keeps streaming meanwhile.
   * Aborting `signal` ends the wait early (Asterisk answers `result=1`).
   */
  async waitForDigit(timeoutMs: number, options: { signal?: AbortSignal | undefined } = {}): Promise<WaitForDigitResult> {
    const outcome = await this.channel.send(buildCommand('WAIT FOR DIGIT', String(Math.floor(timeoutMs))), { signal: options.signal });
    if (outcome.interrupted) return { digit: undefined, interrupted: true };
    const reply = this.#expectSuccess(outcome, 'WAIT FOR DIGIT');
    const result = reply.resultNumber ?? 0;
    if (result === -1) this.#hangupFromResult('WAIT FOR DIGIT');
    return { digit: result > 1 ? String.fromCharCode(result) : undefined, interrupted: false };
  }

  /** Any other command, as a raw line; the reply is checked for 510/511/520 only. */
  async raw(line: string, options: { signal?: AbortSignal | undefined } = {}): Promise<Success | undefined> {
    const outcome = await this.channel.send(line, options);
    if (outcome.reply === undefined) return undefined;
    return this.#expectSuccess(outcome, line.split(' ')[0] ?? line);
  }

  async #success(line: string): Promise<Success> {
    const outcome = await this.channel.send(line);
    return this.#expectSuccess(outcome, line.split(' ').slice(0, 2).join(' '));
  }

  #expectSuccess(outcome: CommandOutcome, what: string): Success {
    const reply = outcome.reply;
    if (reply === undefined) throw new AgiError('AGI_NO_REPLY', `${what} was interrupted and has no reply`);
    switch (reply.kind) {
      case 'success': return reply;
      case 'dead-channel':
        this.channel.markHangup('dead-channel', what);
        throw this.channel.hangupSignal.reason as AgiHangupError;
      case 'invalid-command':
        throw new AgiError('AGI_INVALID_COMMAND', `Asterisk does not know the command ${what} (510)`, { replyLines: reply.lines });
      case 'usage':
        throw new AgiError('AGI_USAGE', `Asterisk rejected the arguments of ${what} (520): ${reply.usage.join(' ').slice(0, 300)}`, { replyLines: reply.lines });
      case 'malformed':
        throw new AgiError('AGI_MALFORMED_REPLY', `unparseable reply to ${what}: ${reply.reason}`, { replyLines: reply.lines });
    }
  }

  #hangupFromResult(what: string): never {
    this.channel.markHangup('result-minus-one', what);
    throw this.channel.hangupSignal.reason as AgiHangupError;
  }

  /** `result=-1` from playback means a missing file or a hangup; CHANNEL STATUS tells which. */
  async #probeHangup(what: string): Promise<void> {
    if (this.channel.hungUp) throw this.channel.hangupSignal.reason as AgiHangupError;
    try {
      await this.channelStatus();
    } catch (error) {
      if (error instanceof AgiHangupError) throw error;
      throw new AgiError('AGI_PLAYBACK_FAILED', `${what} failed and CHANNEL STATUS failed too`, { cause: error });
    }
  }
}
