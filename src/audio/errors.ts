import { VoicebotError } from '../errors.ts';

/**
 * Caller audio cannot be read. Stable code `FD3_UNAVAILABLE`: fd 3 is not open (plain AGI instead
 * of EAGI, or closed by the parent) or is neither a pipe nor a file. The AGI session maps it to its
 * own error, so fd 3 framing knows nothing of AGI.
 */
export class Fd3Error extends VoicebotError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('FD3_UNAVAILABLE', message, options);
    this.name = 'Fd3Error';
  }
}
