import type { Logger } from '../log.ts';
import type { Pending } from './pending.ts';

/** How long an interrupter may stay unanswered before Asterisk is nudged to read on. */
const NUDGE_AFTER_MS = 500;

/** The channel as the interrupter sees it. */
export interface InterruptHost {
  readonly logger: Logger;
  /** Remove `pending` from the commands not yet written; false when it is not there. */
  dequeue(pending: Pending): boolean;
  /** The oldest written command (the one Asterisk runs), if any. */
  running(): Pending | undefined;
  inFlight(pending: Pending): boolean;
  /** Whether anything can still be written (no fatal error, pipes open, not closed). */
  writable(): boolean;
  fatal(): boolean;
  write(pending: Pending): void;
}

/**
 * Interrupts commands for `send(..., { signal })`: a queued command is dropped, a running one
 * whose interrupt behaviour is not `queues` gets a marker line written behind it.
 */
export class Interrupter {
  readonly #host: InterruptHost;
  #serial = 0;

  constructor(host: InterruptHost) {
    this.#host = host;
  }

  interrupt(pending: Pending): void {
    const host = this.#host;
    if (host.dequeue(pending)) {
      pending.settle({ reply: undefined, interrupted: true, elapsedMs: 0 });
      return;
    }
    if (host.running() !== pending || pending.interruptRequested || pending.spec.interrupt === 'queues') return;
    if (!host.writable()) return;
    pending.interruptRequested = true;
    const interrupter = this.#marker('interrupt');
    host.write(interrupter);
    this.#armNudge(interrupter);
  }

  /** A dead-capable command whose reply carries a unique text, so it can never be mistaken. */
  #marker(kind: 'interrupt' | 'nudge'): Pending {
    this.#serial += 1;
    const nonce = `voicebot-${kind}-${this.#serial}`;
    return {
      line: `GET FULL VARIABLE ${nonce}`, spec: { deadCapable: true, interrupt: 'queues' }, nonce,
      writtenAtMs: -1, interruptRequested: false, settle: () => {}, fail: () => {},
    };
  }

  /**
   * An interrupter that reached Asterisk in the same read as the command it interrupts sits in
   * Asterisk's stdio buffer: the command is not stopped and the interrupter is answered only when
   * more bytes arrive (docs/design.md). Asterisk answers a seen interrupter within milliseconds, so one
   * still unanswered after NUDGE_AFTER_MS gets one more marker line; replies to markers settle
   * nothing (reply-matching.ts), so both are consumed.
   */
  #armNudge(marker: Pending): void {
    const host = this.#host;
    const timer = setTimeout(() => {
      if (!host.inFlight(marker) || !host.writable() || host.fatal()) return;
      host.logger.warn('AGI', 'interrupter unanswered; nudging Asterisk with one more line', { line: marker.line });
      host.write(this.#marker('nudge'));
    }, NUDGE_AFTER_MS);
    timer.unref();
  }
}
