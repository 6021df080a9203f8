import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { VoicebotError } from '../errors.ts';
import { closePayload, encodeFrame, FrameParser, OPCODE, WebSocketProtocolError } from './websocket-frames.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Largest message either side accepts (ARI events are a few KB, media frames 640 bytes). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** How long a closing side waits for the peer's close frame before it drops the connection. */
const CLOSE_WAIT_MS = 2000;

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

export interface CloseInfo {
  /** The peer's close code; 1006 when the connection ended without a close frame. */
  code: number;
  reason: string;
  /** Both close frames were exchanged. */
  clean: boolean;
}

export interface WebSocketEvents {
  text: [text: string];
  binary: [data: Buffer];
  close: [info: CloseInfo];
}

/**
 * One RFC 6455 connection over an upgraded socket, either side. Messages arrive as `text` and
 * `binary` events in order; `close` is emitted exactly once, however the connection ended. Pings
 * are answered. `send` returns false once the socket's buffer is past its high-water mark (the
 * caller may wait for `drained()`).
 */
export class WebSocketConnection extends EventEmitter<WebSocketEvents> {
  readonly role: 'client' | 'server';
  /** The subprotocol the server agreed to, if any. */
  readonly protocol: string | undefined;
  readonly #socket: Duplex;
  readonly #parser: FrameParser;
  #fragments: Buffer[] = [];
  #fragmentOpcode = 0;
  #closeSent = false;
  #closeReceived: { code: number; reason: string } | undefined;
  #closed = false;
  #closeTimer: NodeJS.Timeout | undefined;

  constructor(socket: Duplex, role: 'client' | 'server', options: { head?: Buffer; protocol?: string | undefined } = {}) {
    super();
    this.#socket = socket;
    this.role = role;
    this.protocol = options.protocol;
    this.#parser = new FrameParser({ expectMasked: role === 'server', maxPayloadBytes: MAX_MESSAGE_BYTES });
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', () => this.#finish());
    socket.on('close', () => this.#finish());
    socket.on('end', () => this.#finish());
    // Bytes that came with the handshake (Asterisk's MEDIA_START follows the 101 at once) wait until
    // the code that awaited the connection has attached its listeners.
    if (options.head !== undefined && options.head.length > 0) setImmediate(() => this.#receive(options.head as Buffer));
  }

  get isOpen(): boolean {
    return !this.#closed && !this.#closeSent;
  }

  /** Text for strings, binary for bytes. False when the connection is closing or the socket's buffer is full. */
  send(data: string | Uint8Array): boolean {
    if (!this.isOpen) return false;
    const isText = typeof data === 'string';
    const payload = isText ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return this.#socket.write(encodeFrame(isText ? OPCODE.text : OPCODE.binary, payload, { mask: this.role === 'client' }));
  }

  /** Resolves once the socket's write buffer has drained (or the connection ended). */
  drained(): Promise<void> {
    if (this.#closed || !this.#socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { this.#socket.off('drain', done); this.off('close', done); resolve(); };
      this.#socket.once('drain', done);
      this.once('close', done);
    });
  }

  /** Starts the closing handshake; the socket is dropped if the peer does not answer in time. */
  close(code = 1000, reason = ''): void {
    if (this.#closed || this.#closeSent) return;
    this.#closeSent = true;
    this.#socket.write(encodeFrame(OPCODE.close, closePayload(code, reason), { mask: this.role === 'client' }));
    if (this.#closeReceived !== undefined) {
      this.#endSocket();
      return;
    }
    this.#closeTimer = setTimeout(() => this.#socket.destroy(), CLOSE_WAIT_MS);
    this.#closeTimer.unref();
  }

  /** Drops the connection at once, without a close frame (the peer sees code 1006). */
  terminate(): void {
    this.#socket.destroy();
  }

  #receive(chunk: Buffer): void {
    if (this.#closed) return;
    let frames;
    try {
      frames = this.#parser.push(chunk);
    } catch (error) {
      const protocolError = error instanceof WebSocketProtocolError ? error : new WebSocketProtocolError(String(error));
      this.close(protocolError.closeCode, protocolError.message.slice(0, 100));
      this.#socket.destroy();
      return;
    }
    for (const frame of frames) {
      if (this.#closed) return;
      if (frame.opcode === OPCODE.ping) {
        if (this.isOpen) this.#socket.write(encodeFrame(OPCODE.pong, frame.payload, { mask: this.role === 'client' }));
      } else if (frame.opcode === OPCODE.close) {
        this.#onClose(frame.payload);
      } else if (frame.opcode !== OPCODE.pong) {
        this.#onData(frame.opcode, frame.fin, frame.payload);
      }
    }
  }

  #onData(opcode: number, fin: boolean, payload: Buffer): void {
    if (this.#closeReceived !== undefined) return;
    if (opcode !== OPCODE.continuation) {
      this.#fragments = [];
      this.#fragmentOpcode = opcode;
    }
    this.#fragments.push(payload);
    if (!fin) return;
    const message = this.#fragments.length === 1 ? (this.#fragments[0] as Buffer) : Buffer.concat(this.#fragments);
    this.#fragments = [];
    if (this.#fragmentOpcode === OPCODE.text) this.emit('text', message.toString('utf8'));
    else this.emit('binary', message);
  }

  #onClose(payload: Buffer): void {
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    this.#closeReceived = { code, reason: payload.subarray(2).toString('utf8') };
    if (!this.#closeSent) {
      this.#closeSent = true;
      // Echo the peer's code, as RFC 6455 5.5.1 suggests (and Asterisk does for 1000).
      this.#socket.write(encodeFrame(OPCODE.close, payload.length >= 2 ? payload.subarray(0, 2) : Buffer.alloc(0), { mask: this.role === 'client' }));
    }
    this.#endSocket();
  }

  /** The server ends the TCP connection after the close handshake; a client waits for it (briefly). */
  #endSocket(): void {
    if (this.role === 'server') {
      this.#socket.end();
      return;
    }
    clearTimeout(this.#closeTimer);
    this.#closeTimer = setTimeout(() => this.#socket.destroy(), CLOSE_WAIT_MS);
    this.#closeTimer.unref();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#closeTimer);
    this.#socket.destroy();
    const received = this.#closeReceived;
    this.emit('close', received === undefined
      ? { code: 1006, reason: '', clean: false }
      : { code: received.code, reason: received.reason, clean: this.#closeSent });
  }
}

/** The upgrade request a server accepts: method GET, `Upgrade: websocket`, version 13 and a key. */
export function isWebSocketUpgrade(headers: IncomingHttpHeaders): boolean {
  return headers.upgrade?.toLowerCase() === 'websocket' && headers['sec-websocket-version'] === '13' && typeof headers['sec-websocket-key'] === 'string';
}

/**
 * Server side: answer an http.Server 'upgrade' with 101 and take over the socket. `protocol`
 * (when the client offered it) is echoed in Sec-WebSocket-Protocol.
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, options: { protocol?: string | undefined } = {}): WebSocketConnection {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string') throw new WebSocketProtocolError('no Sec-WebSocket-Key');
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKey(key)}`];
  if (options.protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${options.protocol}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return new WebSocketConnection(socket, 'server', { head, protocol: options.protocol });
}

/** Server side: refuse an upgrade with a plain HTTP response and close the socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string, options: { headers?: readonly [string, string][]; body?: string } = {}): void {
  const body = options.body ?? '';
  const headers = [...(options.headers ?? []), ['Content-Length', String(Buffer.byteLength(body))]];
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${headers.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n${body}`);
}

export interface ConnectOptions {
  headers?: Record<string, string>;
  protocols?: readonly string[];
  /** Deadline for the TCP connect and the handshake. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Runs on the new connection before anything received is parsed: the place to attach listeners. */
  onOpen?: (connection: WebSocketConnection) => void;
}

/** A handshake that did not end in 101 (`status` 0: no HTTP answer at all). */
export class WebSocketConnectError extends VoicebotError {
  readonly status: number;
  readonly body: string;

  constructor(message: string, status: number, body = '', cause?: unknown) {
    super('WS_CONNECT_FAILED', message, { cause });
    this.status = status;
    this.body = body;
  }
}

/** Client side: open a ws:// URL (plain TCP only). */
export function connectWebSocket(url: string, options: ConnectOptions): Promise<WebSocketConnection> {
  const target = new URL(url);
  if (target.protocol !== 'ws:' && target.protocol !== 'http:') {
    return Promise.reject(new WebSocketConnectError(`${target.protocol} is not supported (ws:// only)`, 0));
  }
  const key = randomBytes(16).toString('base64');
  const headers: Record<string, string> = {
    ...options.headers, Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13',
  };
  if (options.protocols !== undefined && options.protocols.length > 0) headers['Sec-WebSocket-Protocol'] = options.protocols.join(', ');
  return new Promise((resolve, reject) => {
    // agent: false: a keep-alive socket left over from a refused upgrade must never carry the next handshake.
    const req = request({ host: target.hostname, port: target.port || 80, path: `${target.pathname}${target.search}`, headers, signal: options.signal, agent: false });
    const timer = setTimeout(() => {
      req.destroy(new WebSocketConnectError(`no WebSocket handshake from ${target.host} within ${options.timeoutMs} ms`, 0));
    }, options.timeoutMs);
    req.on('upgrade', (res, socket, head) => {
      clearTimeout(timer);
      if (res.headers['sec-websocket-accept'] !== acceptKey(key)) {
        socket.destroy();
        reject(new WebSocketConnectError(`${target.host} answered the upgrade with a wrong Sec-WebSocket-Accept`, 101));
        return;
      }
      const protocol = res.headers['sec-websocket-protocol'];
      const connection = new WebSocketConnection(socket, 'client', { head, protocol: typeof protocol === 'string' ? protocol : undefined });
      options.onOpen?.(connection);
      resolve(connection);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks).toString('utf8');
        reject(new WebSocketConnectError(`${target.host}${target.pathname} refused the WebSocket: ${res.statusCode} ${res.statusMessage ?? ''}`.trim(), res.statusCode ?? 0, body));
      });
      res.on('error', () => undefined);
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error instanceof WebSocketConnectError ? error : new WebSocketConnectError(`cannot reach ${target.host}: ${error.message}`, 0, '', error));
    });
    req.end();
  });
}
