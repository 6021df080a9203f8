import { connect } from 'node:net';
import { connectWebSocket, type WebSocketConnection } from '../../../src/net/websocket.ts';

/** A reply exactly as it came off the wire. */
export interface RawReply {
  status: number;
  reason: string;
  headers: [string, string][];
  body: string;
  /** Bytes after the Content-Length body (Asterisk's second response to a bad /ari/events). */
  rest: string;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** One HTTP request on a fresh connection (Connection: close), the reply parsed byte for byte. */
export function rawRequest(port: number, method: string, target: string, options: { headers?: [string, string][]; body?: string } = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const body = options.body ?? '';
    const headers: [string, string][] = [['Host', `127.0.0.1:${port}`], ...(options.headers ?? []), ['Connection', 'close']];
    if (body !== '') headers.push(['Content-Type', 'application/json'], ['Content-Length', String(Buffer.byteLength(body))]);
    socket.on('connect', () => socket.write(`${method} ${target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseReply(Buffer.concat(chunks).toString('utf8'))));
  });
}

export function parseReply(text: string): RawReply {
  const headEnd = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, headEnd).split('\r\n');
  const match = /^HTTP\/1\.1 (\d{3}) (.*)$/.exec(statusLine ?? '');
  const headers = lines.map((line): [string, string] => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]);
  const length = Number(headers.find(([name]) => name.toLowerCase() === 'content-length')?.[1] ?? '0');
  const afterHead = Buffer.from(text.slice(headEnd + 4), 'utf8');
  return {
    status: Number(match?.[1] ?? 0),
    reason: match?.[2] ?? '',
    headers,
    body: afterHead.subarray(0, length).toString('utf8'),
    rest: afterHead.subarray(length).toString('utf8'),
  };
}

/** An events or media WebSocket that records everything it receives. */
export class RecordingSocket {
  readonly ws: WebSocketConnection;
  readonly texts: { atMs: number; text: string }[] = [];
  readonly binaries: { atMs: number; data: Buffer }[] = [];
  closeInfo: { code: number; clean: boolean } | undefined;
  readonly #waiters: (() => void)[] = [];

  constructor(ws: WebSocketConnection) {
    this.ws = ws;
    ws.on('text', (text) => { this.texts.push({ atMs: performance.now(), text }); this.#wake(); });
    ws.on('binary', (data) => { this.binaries.push({ atMs: performance.now(), data }); this.#wake(); });
    ws.on('close', (info) => { this.closeInfo = info; this.#wake(); });
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<RecordingSocket> {
    return new RecordingSocket(await connectWebSocket(url, { headers, timeoutMs: 3000 }));
  }

  get events(): Record<string, unknown>[] {
    return this.texts.map((t) => JSON.parse(t.text) as Record<string, unknown>);
  }

  /** Resolves once `check()` holds (re-checked on every message), or rejects after `timeoutMs`. */
  async until(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!check()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  async untilText(pattern: RegExp, timeoutMs = 3000): Promise<string> {
    await this.until(() => this.texts.some((t) => pattern.test(t.text)), timeoutMs, String(pattern));
    return (this.texts.find((t) => pattern.test(t.text)) as { text: string }).text;
  }

  async untilEvent(type: string, timeoutMs = 3000): Promise<Record<string, unknown>> {
    await this.until(() => this.events.some((e) => e['type'] === type), timeoutMs, `event ${type}`);
    return this.events.find((e) => e['type'] === type) as Record<string, unknown>;
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An upgrade request whose reply is not 101, read raw (Asterisk may append a second response). */
export function rawUpgrade(port: number, target: string, headers: Record<string, string>): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const lines = [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13'];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    socket.on('connect', () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseReply(Buffer.concat(chunks).toString('utf8'))));
  });
}
