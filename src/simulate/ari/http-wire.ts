import { createServer, type Server, type Socket } from 'node:net';

/** One parsed HTTP/1.1 request. Header names are lower-cased. */
export interface WireRequest {
  method: string;
  /** Path without the query string, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  /** The request target as sent (`/ari/channels?x=1`). */
  target: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface WireHandlers {
  /** Writes exactly one reply to the socket (keep-alive: the next request follows on the same socket). */
  request(req: WireRequest, socket: Socket): void;
  /** A request with `Upgrade: websocket`; the socket and the bytes after the head are handed over. */
  upgrade(req: WireRequest, socket: Socket, head: Buffer): void;
}

const MAX_HEAD_BYTES = 64 * 1024;

/**
 * A bare HTTP/1.1 server: replies are written byte for byte by the handlers, so status lines,
 * header names, their case and order are exactly what Asterisk sends (node:http adds its own
 * Connection/Keep-Alive headers and cannot be used for that).
 */
export function startWireServer(handlers: WireHandlers): { server: Server; sockets: Set<Socket> } {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    readRequests(socket, handlers);
  });
  return { server, sockets };
}

function readRequests(socket: Socket, handlers: WireHandlers): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      const headEnd = buffered.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        if (buffered.length > MAX_HEAD_BYTES) socket.destroy();
        return;
      }
      const req = parseHead(buffered.subarray(0, headEnd).toString('latin1'));
      if (req === undefined) {
        socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if ((req.headers['upgrade'] ?? '').toLowerCase() === 'websocket') {
        socket.off('data', onData);
        handlers.upgrade(req, socket, buffered.subarray(headEnd + 4));
        return;
      }
      const length = Number.parseInt(req.headers['content-length'] ?? '0', 10) || 0;
      if (buffered.length < headEnd + 4 + length) return;
      req.body = buffered.subarray(headEnd + 4, headEnd + 4 + length);
      buffered = buffered.subarray(headEnd + 4 + length);
      handlers.request(req, socket);
      if ((req.headers['connection'] ?? '').toLowerCase() === 'close') {
        socket.end();
        return;
      }
    }
  };
  socket.on('data', onData);
}

function parseHead(head: string): WireRequest | undefined {
  const [requestLine, ...lines] = head.split('\r\n');
  const match = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine ?? '');
  if (match === null) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const target = match[2] as string;
  const questionMark = target.indexOf('?');
  return {
    method: match[1] as string,
    target,
    path: questionMark < 0 ? target : target.slice(0, questionMark),
    query: new URLSearchParams(questionMark < 0 ? '' : target.slice(questionMark + 1)),
    headers,
    body: Buffer.alloc(0),
  };
}
