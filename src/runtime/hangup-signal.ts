/** The signals that end a call: SIGHUP from Asterisk, SIGTERM/SIGINT from a stop or an admin. */
export type CallSignal = 'SIGHUP' | 'SIGTERM' | 'SIGINT';

const EXIT_CODES: Record<'SIGTERM' | 'SIGINT', number> = { SIGTERM: 143, SIGINT: 130 };

/**
 * Signal latch. Installed first thing in the process so a hangup that arrives while modules are
 * still loading is remembered, not fatal; the call session subscribes later and is told at once
 * if the signal already came. SIGTERM and SIGINT are latched the same way only in a call process
 * (`latchTermination`); elsewhere (CLI commands) they keep their usual meaning: exit at once.
 */
class HangupSignal {
  #received: CallSignal | undefined;
  #installed = false;
  #latchTermination = false;
  readonly #listeners = new Set<(signal: CallSignal) => void>();

  install(options: { latchTermination?: boolean } = {}): void {
    if (this.#installed) return;
    this.#installed = true;
    this.#latchTermination = options.latchTermination === true;
    process.on('SIGHUP', () => this.#deliver('SIGHUP'));
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (!this.#latchTermination && this.#listeners.size === 0) process.exit(EXIT_CODES[signal]);
        this.#deliver(signal);
      });
    }
  }

  get received(): boolean {
    return this.#received !== undefined;
  }

  /** Call `listener` on a call-ending signal (at once if one already came). Returns an unsubscribe function. */
  subscribe(listener: (signal: CallSignal) => void): () => void {
    this.#listeners.add(listener);
    const received = this.#received;
    if (received !== undefined) queueMicrotask(() => listener(received));
    return () => this.#listeners.delete(listener);
  }

  #deliver(signal: CallSignal): void {
    this.#received ??= signal;
    for (const listener of [...this.#listeners]) listener(signal);
  }
}

export const hangupSignal = new HangupSignal();
