import { AgiError } from './errors.ts';

/** Longest line accepted from Asterisk. Real replies are < 2 KiB (res_agi's AGI_BUF_LEN is 2048). */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/**
 * Splits a byte stream into `\n`-terminated lines and keeps the unparsed remainder for the next
 * chunk. Lines are decoded as UTF-8 without the `\n`; a `\r` is kept (Asterisk does not strip it).
 * A line longer than `maxLineBytes` throws `AGI_LINE_TOO_LONG` instead of growing without bound.
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  #parts: Buffer[] = [];
  #partBytes = 0;
  readonly #decoder = new TextDecoder('utf-8');

  constructor(maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Bytes received that do not yet form a complete line. */
  get pendingBytes(): number {
    return this.#partBytes;
  }

  /** The unterminated remainder as text (for diagnostics at EOF). */
  get pendingText(): string {
    return this.#decoder.decode(Buffer.concat(this.#parts));
  }

  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) break;
      const piece = chunk.subarray(start, newline);
      this.#checkLength(this.#partBytes + piece.byteLength);
      const whole = this.#parts.length === 0 ? piece : Buffer.concat([...this.#parts, piece]);
      this.#parts = [];
      this.#partBytes = 0;
      lines.push(this.#decoder.decode(whole));
      start = newline + 1;
    }
    if (start < chunk.byteLength) {
      const rest = chunk.subarray(start);
      this.#checkLength(this.#partBytes + rest.byteLength);
      this.#parts.push(Buffer.from(rest));
      this.#partBytes += rest.byteLength;
    }
    return lines;
  }

  #checkLength(bytes: number): void {
    if (bytes > this.#maxLineBytes) {
      this.#parts = [];
      this.#partBytes = 0;
      throw new AgiError('AGI_LINE_TOO_LONG', `a line from Asterisk exceeds ${this.#maxLineBytes} bytes without a newline; the stream is not an AGI conversation`);
    }
  }
}
