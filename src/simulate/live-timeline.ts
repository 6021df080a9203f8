import type { RecorderEntry } from './fake-asterisk.ts';
import { formatLine, recordLine, type TimelineLine } from './call-recording.ts';

/**
 * Prints the call's timeline while it runs: each command, playback and event as the fake Asterisk
 * records it, and the caller's lines (known in advance from the WAV) once call time reaches them.
 * A playback is reported when it ends, stamped with its start.
 */
export class LiveTimeline {
  readonly #pending: TimelineLine[];
  readonly #write: (text: string) => void;
  #closed = false;

  constructor(callerLines: readonly TimelineLine[], write: (text: string) => void) {
    this.#pending = [...callerLines].sort((a, b) => a.t - b.t);
    this.#write = write;
  }

  /** Call time has reached `nowMs`: print the caller lines that started by then. */
  tick(nowMs: number): void {
    while (!this.#closed && this.#pending.length > 0 && (this.#pending[0]?.t ?? Infinity) <= nowMs) {
      const line = this.#pending.shift();
      if (line !== undefined) this.#write(`${formatLine(line)}\n`);
    }
  }

  record(entry: RecorderEntry): void {
    if (this.#closed) return;
    const line = recordLine(entry);
    if (line === undefined) return;
    this.tick(line.t);
    this.#write(`${formatLine(line)}\n`);
    if (entry.type === 'event' && (entry.event.kind === 'exit' || entry.event.kind === 'kill')) this.#closed = true;
  }
}
