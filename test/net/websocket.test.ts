import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { test } from 'node:test';
import { acceptWebSocket, connectWebSocket, isWebSocketUpgrade, refuseUpgrade, WebSocketConnectError, type CloseInfo, type WebSocketConnection } from '../../src/net/websocket.ts';
import { encodeFrame, FrameParser, OPCODE } from '../../src/net/websocket-frames.ts';

/** A real HTTP server on 127.0.0.1 whose upgrades become our server-side connections. */
async function serve(onConnection: (ws: WebSocketConnection, path: string) => void, options: { protocol?: string } = {}): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => { res.writeHead(404); res.end(); });
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/refuse' || !isWebSocketUpgrade(req.headers)) {
      refuseUpgrade(socket, 404, 'Not Found', { headers: [['Content-Type', 'text/html']], body: 'WebSocket instance not found' });
      return;
    }
    onConnection(acceptWebSocket(req, socket, head, options), req.url ?? '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { server, url: `ws://127.0.0.1:${address.port}` };
}

const closeOf = (ws: WebSocketConnection) => once(ws, 'close').then(([info]) => info as CloseInfo);

test('our server talks to Node\'s own WebSocket client: text, binary, close code', async () => {
  const { server, url } = await serve((ws) => {
    ws.on('text', (text) => ws.send(`echo:${text}`));
    ws.on('binary', (data) => ws.send(Buffer.concat([data, data])));
  });
  try {
    const client = new WebSocket(`${url}/x`);
    client.binaryType = 'arraybuffer';
    await once(client, 'open');
    const messages: unknown[] = [];
    const got = (n: number) => new Promise<void>((resolve) => {
      client.addEventListener('message', (event) => { messages.push(event.data); if (messages.length === n) resolve(); });
    });
    const both = got(2);
    client.send('hello');
    client.send(new Uint8Array(70_000).fill(7));
    await both;
    assert.equal(messages[0], 'echo:hello');
    assert.equal((messages[1] as ArrayBuffer).byteLength, 140_000);
    const closed = once(client, 'close');
    client.close(1000, 'bye');
    const [event] = await closed;
    assert.equal((event as CloseEvent).code, 1000);
  } finally {
    server.close();
  }
});

test('our client and server: masked client frames, fragments joined, close handshake both ways', async () => {
  let serverSide: WebSocketConnection | undefined;
  const { server, url } = await serve((ws) => { serverSide = ws; ws.on('binary', (data) => ws.send(data)); }, { protocol: 'media' });
  try {
    const client = await connectWebSocket(`${url}/media/abc`, { timeoutMs: 2000, protocols: ['media'], headers: { Authorization: 'Basic eDp5' } });
    assert.equal(client.protocol, 'media');
    const echoed = once(client, 'binary');
    client.send(new Uint8Array([1, 2, 3, 4]));
    assert.deepEqual([...((await echoed)[0] as Buffer)], [1, 2, 3, 4]);
    assert.ok(serverSide !== undefined);
    const serverClosed = closeOf(serverSide);
    const clientClosed = closeOf(client);
    serverSide.close(1000, 'done');
    assert.deepEqual(await clientClosed, { code: 1000, reason: 'done', clean: true });
    assert.equal((await serverClosed).clean, true);
  } finally {
    server.close();
  }
});

test('a dropped TCP connection is close code 1006, not clean', async () => {
  const { server, url } = await serve((ws) => { setTimeout(() => ws.terminate(), 20); });
  try {
    const client = await connectWebSocket(url, { timeoutMs: 2000 });
    assert.deepEqual(await closeOf(client), { code: 1006, reason: '', clean: false });
    assert.equal(client.send('late'), false);
  } finally {
    server.close();
  }
});

test('a refused handshake rejects with the status and the body; a dead port with status 0', async () => {
  const { server, url } = await serve(() => undefined);
  try {
    const refused = await connectWebSocket(`${url}/refuse`, { timeoutMs: 2000 }).catch((error: unknown) => error);
    assert.ok(refused instanceof WebSocketConnectError);
    assert.equal(refused.status, 404);
    assert.equal(refused.body, 'WebSocket instance not found');
    assert.equal(refused.code, 'WS_CONNECT_FAILED');
  } finally {
    server.close();
  }
  const dead = await connectWebSocket(url, { timeoutMs: 2000 }).catch((error: unknown) => error);
  assert.ok(dead instanceof WebSocketConnectError && dead.status === 0);
});

test('raw frames: a ping is answered with a pong, fragments make one message, an unmasked client frame is a protocol error', async () => {
  const texts: string[] = [];
  const closes: CloseInfo[] = [];
  const { server, url } = await serve((ws) => { ws.on('text', (t) => texts.push(t)); ws.on('close', (c) => closes.push(c)); });
  try {
    const port = Number(new URL(url).port);
    const socket = tcpConnect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(Buffer.concat(received).toString('latin1'), /^HTTP\/1\.1 101 Switching Protocols\r\n.*Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/s);
    received.length = 0;
    socket.write(encodeFrame(OPCODE.ping, Buffer.from('hi'), { mask: true }));
    socket.write(encodeFrame(OPCODE.text, Buffer.from('hel'), { mask: true, fin: false }));
    socket.write(encodeFrame(OPCODE.continuation, Buffer.from('lo'), { mask: true }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const frames = new FrameParser({ expectMasked: false, maxPayloadBytes: 1000 }).push(Buffer.concat(received));
    assert.deepEqual(frames.map((f) => [f.opcode, f.payload.toString()]), [[OPCODE.pong, 'hi']]);
    assert.deepEqual(texts, ['hello']);
    socket.write(encodeFrame(OPCODE.text, Buffer.from('no mask'), { mask: false }));
    await once(socket, 'close');
    assert.equal(closes.length, 1);
  } finally {
    server.close();
  }
});

test('a message the server sends with the 101 reaches a client that attaches its listener after the await', async () => {
  const { server, url } = await serve((ws) => { ws.send('MEDIA_START connection_id:x'); });
  try {
    for (let round = 0; round < 20; round += 1) {
      const client = await connectWebSocket(url, { timeoutMs: 2000 });
      const [text] = await once(client, 'text');
      assert.equal(text, 'MEDIA_START connection_id:x');
      client.close();
      await closeOf(client);
    }
  } finally {
    server.close();
  }
});
