import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/** A reply as Asterisk 22.10.1 writes it (see testdata/asterisk-22/ari/failures-rest-errors.txt). */
export interface CannedReply {
  status: number;
  reason: string;
  /** Exact body; JSON replies get `Content-type: application/json`. */
  body?: string;
  headers?: [string, string][];
  /** Never answer (for deadlines). */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  authorization: string | undefined;
}

type Route = (request: RecordedRequest) => CannedReply;
type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Asterisk's own replies, copied from the transcripts. */
export const REPLIES = {
  noContent: { status: 204, reason: 'No Content' },
  authRequired: { status: 401, reason: 'Unauthorized', body: '{"message":"Authentication required"}', headers: [['WWW-Authenticate', 'Basic realm="Asterisk REST Interface"']] },
  channelNotFound: { status: 404, reason: 'Not Found', body: '{"message":"Channel not found"}' },
  variableNotFound: { status: 404, reason: 'Variable Not Found', body: '{"message":"Provided variable was not found"}' },
  notInStasis: { status: 409, reason: 'Conflict', body: '{"message":"Channel not in Stasis application"}' },
  notInStasisBridge: { status: 422, reason: 'Unprocessable Entity', body: '{"message":"Channel not in Stasis application"}' },
  formatEmpty: { status: 400, reason: 'Bad Request', body: '{"message":"format cannot be empty"}' },
  internalError: { status: 500, reason: 'Internal Server Error', body: '{"message":"An internal error prevented this request from being handled"}' },
  invalidMethod: { status: 405, reason: 'Method Not Allowed', body: '{"message":"Invalid method"}', headers: [['Allow', 'OPTIONS,GET,POST']] },
} satisfies Record<string, CannedReply>;

/**
 * A scripted Asterisk HTTP server on 127.0.0.1: REST routes answered from canned replies (every
 * request recorded), WebSocket upgrades handed to the test. `stop()` drops every connection;
 * `restart()` listens again on the same port.
 */
export class ScriptedAsterisk {
  readonly requests: RecordedRequest[] = [];
  readonly #routes = new Map<string, Route>();
  readonly #sockets = new Set<Socket | Duplex>();
  #server: Server | undefined;
  #port = 0;
  onUpgrade: UpgradeHandler = (_req, socket) => socket.destroy();

  static async start(): Promise<ScriptedAsterisk> {
    const asterisk = new ScriptedAsterisk();
    await asterisk.#listen(0);
    return asterisk;
  }

  get baseUrl(): string { return `http://127.0.0.1:${this.#port}`; }

  /** `key` is `METHOD /ari/path` (query ignored) or `METHOD /ari/path?query` (exact). */
  route(key: string, reply: CannedReply | Route): void {
    this.#routes.set(key, typeof reply === 'function' ? reply : () => reply);
  }

  /** Drops every connection and stops listening. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.#listen(this.#port);
  }

  async #listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      const url = req.url ?? '';
      const request = { method: req.method ?? '', url, authorization: req.headers.authorization };
      this.requests.push(request);
      const route = this.#routes.get(`${request.method} ${url}`) ?? this.#routes.get(`${request.method} ${url.split('?')[0] ?? ''}`);
      const reply: CannedReply = route?.(request) ?? { status: 404, reason: 'Not Found', body: '{"message":"Resource not found"}' };
      if (reply.hang === true) return;
      const body = reply.body ?? '';
      const headers: [string, string][] = [['Server', 'Asterisk/22.10.1'], ['Cache-Control', 'no-cache, no-store'], ...(reply.headers ?? [])];
      if (body !== '') headers.push(['Content-type', 'application/json']);
      headers.push(['Content-Length', String(Buffer.byteLength(body))]);
      res.writeHead(reply.status, reply.reason, headers.flat());
      res.end(body);
    });
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('no address');
    this.#port = address.port;
    this.#server = server;
  }
}
