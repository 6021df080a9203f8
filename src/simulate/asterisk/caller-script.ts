import type { CallClock } from './call-clock.ts';

export type CallerAction = { action: 'dtmf'; digits: string } | { action: 'hangup' };
/** When a scripted caller action happens: at a call time, or relative to the n-th command (0-based). */
export type CallerEvent = CallerAction & (
  | { atMs: number }
  | { afterCommand: number; phase: 'received' | 'replied'; delayMs: number }
);

/** Schedules a call's scripted caller actions on its clock; `act` performs one. */
export class CallerScript {
  readonly #events: readonly CallerEvent[];
  readonly #clock: CallClock;
  readonly #act: (action: CallerAction) => void;
  #received = 0;
  #replied = 0;

  constructor(events: readonly CallerEvent[], clock: CallClock, act: (action: CallerAction) => void) {
    this.#events = events;
    this.#clock = clock;
    this.#act = act;
  }

  /** Schedule the actions placed at a call time. */
  start(): void {
    for (const event of this.#events) {
      if ('atMs' in event) this.#clock.after(event.atMs, () => this.#act(event));
    }
  }

  /** A command line reached the fake Asterisk. */
  commandReceived(): void {
    this.#received += 1;
    this.#trigger('received', this.#received - 1);
  }

  /** A command finished (replied or interrupted). */
  commandReplied(): void {
    this.#replied += 1;
    this.#trigger('replied', this.#replied - 1);
  }

  #trigger(phase: 'received' | 'replied', index: number): void {
    for (const event of this.#events) {
      if ('afterCommand' in event && event.afterCommand === index && event.phase === phase) {
        this.#clock.after(event.delayMs, () => this.#act(event));
      }
    }
  }
}
