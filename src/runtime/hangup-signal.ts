/**
 * SIGHUP latch. Installed first thing in the process so a hangup that arrives while modules are
 * still loading is remembered, not fatal; the call session subscribes later and is told at once
 * if the hangup already happened.
 */
class HangupSignal {
  #received = false;
  #installed = false;
  readonly #listeners = new Set<() => void>();

  install(): void {
    if (this.#installed) return;
    this.#installed = true;
    process.on('SIGHUP', () => {
      this.#received = true;
      for (const listener of [...this.#listeners]) listener();
    });
  }

  get received(): boolean {
    return this.#received;
  }

  /** Call `listener` on SIGHUP (at once if it already came). Returns an unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (this.#received) queueMicrotask(listener);
    return () => this.#listeners.delete(listener);
  }
}

export const hangupSignal = new HangupSignal();
