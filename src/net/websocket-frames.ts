import { randomBytes } from 'node:crypto';

/** RFC 6455 opcodes. */
export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
  masked: boolean;
}

/** A violation of RFC 6455 by the peer; `closeCode` is what we answer with. */
export class WebSocketProtocolError extends Error {
  readonly code = 'WS_PROTOCOL';
  readonly closeCode: number;

  constructor(message: string, closeCode = 1002) {
    super(message);
    this.name = 'WebSocketProtocolError';
    this.closeCode = closeCode;
  }
}

/** One frame on the wire; a client masks every frame it sends, a server never does. */
export function encodeFrame(opcode: number, payload: Buffer, options: { mask: boolean; fin?: boolean }): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (options.mask ? 4 : 0));
  header[0] = ((options.fin ?? true) ? 0x80 : 0) | opcode;
  header[1] = (options.mask ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) header.writeUInt16BE(length, 2);
  if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (!options.mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, 2 + lengthBytes);
  const masked = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i += 1) masked[i] = (payload[i] as number) ^ (key[i & 3] as number);
  return Buffer.concat([header, masked]);
}

/** A close frame's payload: the code, then the UTF-8 reason (at most 123 bytes). */
export function closePayload(code: number, reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8').subarray(0, 123);
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return payload;
}

/**
 * Incremental frame parser: bytes in, whole frames out. `expectMasked` is the peer's rule (frames
 * from a client are masked, from a server are not); a frame that breaks it, or any frame above
 * `maxPayloadBytes`, is a protocol error.
 */
export class FrameParser {
  readonly #expectMasked: boolean;
  readonly #maxPayloadBytes: number;
  #buffer: Buffer = Buffer.alloc(0);

  constructor(options: { expectMasked: boolean; maxPayloadBytes: number }) {
    this.#expectMasked = options.expectMasked;
    this.#maxPayloadBytes = options.maxPayloadBytes;
  }

  push(chunk: Buffer): Frame[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const frame = this.#next();
      if (frame === undefined) return frames;
      frames.push(frame);
    }
  }

  #next(): Frame | undefined {
    const buffer = this.#buffer;
    if (buffer.length < 2) return undefined;
    const first = buffer[0] as number;
    const second = buffer[1] as number;
    if ((first & 0x70) !== 0) throw new WebSocketProtocolError('reserved bits set (no extension was negotiated)');
    const masked = (second & 0x80) !== 0;
    if (masked !== this.#expectMasked) throw new WebSocketProtocolError(masked ? 'a server frame was masked' : 'a client frame was not masked');
    let length = second & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buffer.length < 4) return undefined;
      length = buffer.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buffer.length < 10) return undefined;
      const big = buffer.readBigUInt64BE(2);
      if (big > BigInt(this.#maxPayloadBytes)) throw new WebSocketProtocolError(`frame of ${big} bytes is over the ${this.#maxPayloadBytes}-byte limit`, 1009);
      length = Number(big);
      offset = 10;
    }
    if (length > this.#maxPayloadBytes) throw new WebSocketProtocolError(`frame of ${length} bytes is over the ${this.#maxPayloadBytes}-byte limit`, 1009);
    const keyOffset = offset;
    if (masked) offset += 4;
    if (buffer.length < offset + length) return undefined;
    let payload = buffer.subarray(offset, offset + length);
    if (masked) {
      const unmasked = Buffer.allocUnsafe(length);
      for (let i = 0; i < length; i += 1) unmasked[i] = (payload[i] as number) ^ (buffer[keyOffset + (i & 3)] as number);
      payload = unmasked;
    } else {
      payload = Buffer.from(payload);
    }
    this.#buffer = buffer.subarray(offset + length);
    const opcode = first & 0x0f;
    const fin = (first & 0x80) !== 0;
    if (opcode >= 0x8 && (!fin || length > 125)) throw new WebSocketProtocolError('a control frame was fragmented or longer than 125 bytes');
    if (![0x0, 0x1, 0x2, 0x8, 0x9, 0xa].includes(opcode)) throw new WebSocketProtocolError(`unknown opcode ${opcode}`);
    return { fin, opcode, payload, masked };
  }
}
