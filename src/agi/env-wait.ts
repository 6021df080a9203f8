import { EnvBlockCollector, type AgiEnv } from './env.ts';
import { AgiError } from './errors.ts';

/**
 * Waits for the agi_ env block at the start of stdin: `promise` resolves with the env once the
 * empty line arrives, or rejects with a typed AgiError (timeout, stdin ended, malformed block).
 */
export class EnvBlockWait {
  readonly promise: Promise<AgiEnv>;
  readonly #collector = new EnvBlockCollector();
  #resolve: ((env: AgiEnv) => void) | undefined;
  #reject: ((error: Error) => void) | undefined;

  /** Starts the `timeoutMs` deadline now. */
  constructor(timeoutMs: number) {
    this.promise = new Promise<AgiEnv>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new AgiError('AGI_ENV_TIMEOUT', `no complete agi_ env block on stdin within ${timeoutMs} ms (${this.#collector.linesSoFar} lines seen); voicebot must be started by Asterisk's EAGI()`));
      }, timeoutMs);
      this.#resolve = (env) => { clearTimeout(timer); this.#resolve = undefined; this.#reject = undefined; resolve(env); };
      this.#reject = (error) => { clearTimeout(timer); this.#resolve = undefined; this.#reject = undefined; reject(error); };
    });
  }

  /** Whether the block is complete (later lines are replies). */
  get done(): boolean {
    return this.#collector.done;
  }

  /** One line of the block. Throws AGI_ENV_MALFORMED (the caller makes it the channel's fatal error). */
  push(line: string): void {
    const env = this.#collector.push(line);
    if (env !== undefined) this.#resolve?.(env);
  }

  /** Reject with `error` unless already settled. */
  fail(error: Error): void {
    this.#reject?.(error);
  }

  /** stdin ended: rejects if the block is not complete. */
  inputEnded(lastLineUnterminated: boolean): void {
    if (this.#collector.done) return;
    const partial = lastLineUnterminated ? ' (last line unterminated)' : '';
    this.fail(new AgiError('AGI_ENV_INCOMPLETE', `stdin ended before the end of the agi_ env block (${this.#collector.linesSoFar} lines, no empty line)${partial}; voicebot must be started by Asterisk's EAGI()`));
  }
}
