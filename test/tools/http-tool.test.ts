import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { HostAllowlist } from '../../src/tools/allowlist.ts';
import { runHttpTool } from '../../src/tools/http-tool.ts';
import type { HttpToolSpec, ToolParam } from '../../src/tools/types.ts';

interface SeenRequest { method: string; url: string; headers: IncomingMessage['headers']; body: string }
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 that records every request; routes are set per test. */
async function startServer() {
  const requests: SeenRequest[] = [];
  let handler: Handler = (_req, res) => res.end('{}');
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin, requests,
    handle(next: Handler) { handler = next; },
    async close() { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)); },
  };
}

const SECRET = 'tok-5ecr3t-value-xyz';
const orderId: ToolParam = { name: 'order_id', type: 'string', description: 'The order number', required: true, pattern: '[0-9]{4,10}' };

function spec(overrides: Partial<HttpToolSpec> = {}): HttpToolSpec {
  return {
    name: 'order_status', description: 'Looks up an order', method: 'GET',
    params: [orderId, { name: 'verbose', type: 'boolean', description: 'More detail', required: false }],
    urlTemplate: `${server.origin}/orders/{order_id}`,
    headers: [{ name: 'authorization', value: `Bearer ${SECRET}`, secret: true }, { name: 'x-client', value: 'voicebot', secret: false }],
    timeoutMs: 1500, waitText: '', waitAfterMs: 0, maxResponseBytes: 200, ...overrides,
  };
}

let server: Awaited<ReturnType<typeof startServer>>;
let other: Awaited<ReturnType<typeof startServer>>;
const allowlist = (() => { const parsed = HostAllowlist.parse([]); assert.ok('allowlist' in parsed); return parsed.allowlist; })();
const run = (s: HttpToolSpec, args: unknown, signal?: AbortSignal) => runHttpTool(s, args, { allowlist, signal });

before(async () => { server = await startServer(); other = await startServer(); });
after(async () => { await server.close(); await other.close(); });
beforeEach(() => { server.requests.length = 0; other.requests.length = 0; server.handle((_req, res) => res.end('{}')); });

function assertFailure(content: string) {
  assert.match(content, /^error: /);
  assert.ok(!content.includes(SECRET), 'no secret in the content');
}

test('GET fills the path placeholder, adds the other arguments as query and sends the spec headers', async () => {
  server.handle((_req, res) => { res.setHeader('content-type', 'application/json'); res.end('{\n  "status": "shipped",\n  "eta": "Monday"\n}'); });
  const result = await run(spec(), { order_id: ' 12345 ', verbose: 'yes' });
  assert.equal(result.code, 'OK');
  assert.equal(result.content, '{"status":"shipped","eta":"Monday"}');
  assert.equal(result.httpStatus, 200);
  assert.ok(result.durationMs >= 0);
  assert.equal(server.requests.length, 1);
  const [seen] = server.requests;
  assert.equal(seen?.method, 'GET');
  assert.equal(seen?.url, '/orders/12345?verbose=true');
  assert.equal(seen?.headers['authorization'], `Bearer ${SECRET}`);
  assert.equal(seen?.headers['x-client'], 'voicebot');
});

test('POST sends the non-placeholder arguments as a JSON body, typed as validated', async () => {
  const params: ToolParam[] = [orderId, { name: 'quantity', type: 'integer', description: 'How many', required: true, minimum: 1, maximum: 9 },
    { name: 'note', type: 'string', description: 'A note', required: false }];
  server.handle((_req, res) => { res.statusCode = 201; res.end('created'); });
  const result = await run(spec({ method: 'POST', params }), '{"order_id":"4321","quantity":"3","note":"leave at door"}');
  assert.equal(result.code, 'OK');
  assert.equal(result.content, 'created');
  const [seen] = server.requests;
  assert.equal(seen?.url, '/orders/4321');
  assert.equal(seen?.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(seen?.body ?? ''), { quantity: 3, note: 'leave at door' });
});

test('an injected order id stays percent-encoded in the path and the host is unchanged', async () => {
  const loose = spec({ params: [{ ...orderId, pattern: undefined }] });
  const result = await run(loose, { order_id: '1/../../admin?x=@10.0.0.1' });
  assert.equal(result.code, 'OK');
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]?.url, '/orders/1%2F..%2F..%2Fadmin%3Fx%3D%4010.0.0.1');
  assert.equal(server.requests[0]?.headers.host, server.origin.slice('http://'.length));
  const dots = await run(loose, { order_id: '..' });
  assert.equal(dots.code, 'TOOL_BAD_ARGUMENTS', 'a dot segment would leave the templated path');
  assert.equal(server.requests.length, 1);
});

test('malformed arguments are refused before any request', async () => {
  const params: ToolParam[] = [orderId, { name: 'quantity', type: 'integer', description: 'How many', required: false, minimum: 1, maximum: 9 },
    { name: 'colour', type: 'string', description: 'Colour', required: false, values: ['Red', 'Green'] }];
  const s = spec({ params });
  const cases: [unknown, RegExp][] = [
    [[1, 2], /must be a JSON object/],
    ['not json', /must be a JSON object/],
    [{ order_id: '1234', quantity: 'many' }, /quantity must be a whole number/],
    [{ order_id: '1234', quantity: 2.5 }, /quantity must be a whole number/],
    [{ order_id: '1234', shoe_size: 9 }, /no argument 'shoe_size' \(it accepts order_id, quantity, colour\)/],
    [{ quantity: 2 }, /missing required argument order_id/],
    [{ order_id: '1234', quantity: 10 }, /quantity must be between 1 and 9/],
    [{ order_id: 'abc' }, /order_id: 'abc' does not match the expected format/],
    [{ order_id: '1234', colour: 'blue' }, /colour must be one of: Red, Green/],
  ];
  for (const [args, expected] of cases) {
    const result = await run(s, args);
    assert.equal(result.code, 'TOOL_BAD_ARGUMENTS', JSON.stringify(args));
    assert.match(result.content, expected);
    assertFailure(result.content);
  }
  assert.equal(server.requests.length, 0);
});

test('a slow server ends in TOOL_TIMEOUT within about timeoutMs', async () => {
  server.handle(() => { /* never answers */ });
  const result = await run(spec({ timeoutMs: 300 }), { order_id: '1234' });
  assert.equal(result.code, 'TOOL_TIMEOUT');
  assertFailure(result.content);
  assert.ok(result.durationMs >= 250 && result.durationMs < 300 + 1000, `took ${result.durationMs} ms`);
});

test('a body that stalls after the headers also ends in TOOL_TIMEOUT', async () => {
  server.handle((_req, res) => { res.write('{"partial":'); });
  const result = await run(spec({ timeoutMs: 300 }), { order_id: '1234' });
  assert.equal(result.code, 'TOOL_TIMEOUT');
  assert.ok(result.durationMs < 300 + 1000, `took ${result.durationMs} ms`);
});

test('the caller signal ends the request in TOOL_ABORTED', async () => {
  server.handle(() => { /* never answers */ });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const result = await run(spec({ timeoutMs: 5000 }), { order_id: '1234' }, controller.signal);
  assert.equal(result.code, 'TOOL_ABORTED');
  assertFailure(result.content);
  assert.ok(result.durationMs < 2000);
  const already = await run(spec(), { order_id: '1234' }, AbortSignal.abort());
  assert.equal(already.code, 'TOOL_ABORTED');
});

test('HTTP 500 is TOOL_HTTP_ERROR with the start of the body, secrets redacted', async () => {
  server.handle((req, res) => { res.statusCode = 500; res.end(`Internal failure for ${req.headers['authorization']} ${'x'.repeat(500)}`); });
  const result = await run(spec(), { order_id: '1234' });
  assert.equal(result.code, 'TOOL_HTTP_ERROR');
  assert.equal(result.httpStatus, 500);
  assert.match(result.content, /^error: the service answered HTTP 500: Internal failure for \[secret\]/);
  assertFailure(result.content);
  assert.ok(result.content.length < 350);
});

test('a redirect to another host is not followed', async () => {
  server.handle((_req, res) => { res.writeHead(302, { location: `${other.origin}/steal` }); res.end(); });
  const result = await run(spec(), { order_id: '1234' });
  assert.equal(result.code, 'TOOL_HTTP_ERROR');
  assert.equal(result.httpStatus, 302);
  assertFailure(result.content);
  assert.equal(other.requests.length, 0);
});

test('hosts outside the allowlist are refused with no request', async () => {
  for (const urlTemplate of ['http://10.1.2.3/orders/{order_id}', 'http://example.invalid/orders/{order_id}', `ftp://127.0.0.1/{order_id}`]) {
    const result = await run(spec({ urlTemplate }), { order_id: '1234' });
    assert.equal(result.code, 'TOOL_HOST_REFUSED', urlTemplate);
    assertFailure(result.content);
  }
  assert.equal(server.requests.length + other.requests.length, 0);
});

test('a closed port is TOOL_UNREACHABLE', async () => {
  const closed = await startServer();
  await closed.close();
  const result = await run(spec({ urlTemplate: `${closed.origin}/orders/{order_id}` }), { order_id: '1234' });
  assert.equal(result.code, 'TOOL_UNREACHABLE');
  assertFailure(result.content);
});

test('an endless body is cut at maxResponseBytes and the stream is cancelled', async () => {
  let closed = false;
  server.handle((_req, res) => {
    res.on('close', () => { closed = true; });
    const pump = () => { while (!closed && res.write(`${SECRET} é`.repeat(100))) { /* until backpressure */ } if (!closed) res.once('drain', pump); };
    pump();
  });
  const result = await run(spec({ maxResponseBytes: 100 }), { order_id: '1234' });
  assert.equal(result.code, 'OK');
  assert.ok(result.content.endsWith(' …(cut)'));
  assert.ok(Buffer.byteLength(result.content.slice(0, -' …(cut)'.length)) <= 100);
  assert.ok(!result.content.includes(SECRET) && !result.content.includes('\uFFFD'));
  for (let i = 0; i < 50 && !closed; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(closed, 'the server saw the connection end');
});
