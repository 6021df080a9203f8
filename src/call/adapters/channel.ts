import type { Agi } from '../../agi/agi.ts';
import { AgiError } from '../../agi/errors.ts';
import { untilHangup } from '../../agi/run-until-hangup.ts';
import type { CallChannel, PlayResult } from '../ports.ts';

/** The CallChannel port over typed AGI commands; every wait also ends at hangup. */
export function agiCallChannel(agi: Agi, hangup: AbortSignal): CallChannel {
  return {
    hangup,
    answer: () => untilHangup(agi.answer(), hangup),
    async play(file, options): Promise<PlayResult> {
      const startedAt = performance.now();
      try {
        const result = await untilHangup(agi.streamFile(file, { escapeDigits: options.escapeDigits, signal: options.signal }), hangup);
        return {
          digit: result.digit, endposSamples: result.endposSamples, elapsedMs: performance.now() - startedAt,
          interrupted: result.interrupted, failed: false,
        };
      } catch (error) {
        if (error instanceof AgiError && error.code === 'AGI_PLAYBACK_FAILED') {
          return { digit: undefined, endposSamples: 0, elapsedMs: performance.now() - startedAt, interrupted: false, failed: true };
        }
        throw error;
      }
    },
    async waitForDigit(timeoutMs, options) {
      const result = await untilHangup(agi.waitForDigit(timeoutMs, { signal: options.signal }), hangup);
      return result.digit;
    },
    setVariable: (name, value) => untilHangup(agi.setVariable(name, value), hangup),
    verbose: (message) => untilHangup(agi.verbose(message, 1), hangup),
  };
}
