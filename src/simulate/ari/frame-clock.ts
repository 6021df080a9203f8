/** Asterisk's media timing: one frame per 20 ms. */
export const FRAME_MS = 20;

/**
 * Calls `onTick` every `periodMs` on a fixed schedule from the start (no drift: a late tick is
 * followed by the next one at its planned time). Stopped by `stop()`; the timer never keeps the
 * process alive.
 */
export class FrameClock {
  readonly #periodMs: number;
  readonly #onTick: () => void;
  #startMs = 0;
  #ticks = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(onTick: () => void, periodMs = FRAME_MS) {
    this.#onTick = onTick;
    this.#periodMs = periodMs;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#startMs = performance.now();
    this.#ticks = 0;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    const dueMs = this.#startMs + (this.#ticks + 1) * this.#periodMs;
    this.#timer = setTimeout(() => {
      if (!this.#running) return;
      this.#ticks += 1;
      this.#onTick();
      if (this.#running) this.#schedule();
    }, Math.max(0, dueMs - performance.now()));
    this.#timer.unref();
  }
}
