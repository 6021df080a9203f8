/** Call time for one fake call: real time since start, `scale` times faster; timers on that clock. */
export class CallClock {
  readonly #t0 = performance.now();
  readonly #scale: number;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(scale: number) {
    this.#scale = scale;
  }

  /** How many times faster than real time call time runs. */
  get scale(): number {
    return this.#scale;
  }

  /** Call time in ms since the clock was made. */
  nowMs(): number {
    return (performance.now() - this.#t0) * this.#scale;
  }

  /** Run `fn` after `callMs` of call time; returns a cancel function. */
  after(callMs: number, fn: () => void): () => void {
    const timer = setTimeout(() => { this.#timers.delete(timer); fn(); }, Math.max(0, callMs / this.#scale));
    this.#timers.add(timer);
    return () => { clearTimeout(timer); this.#timers.delete(timer); };
  }

  /** Cancel every pending timer. */
  cancelAll(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
