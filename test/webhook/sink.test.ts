import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Logger, type LogRecord } from '../../src/log.ts';
import { backoffMs, MAX_BACKOFF_MS } from '../../src/webhook/delivery.ts';
import { checkWebhookUrl, WebhookSink, type CallEvent, type WebhookOptions } from '../../src/webhook/sink.ts';

/** What the fake webhook does with request number `index` (0-based): a status, or never answer. */
type Answer = (event: CallEvent, index: number) => number | 'hang' | Promise<number>;

interface Hit {
  method: string | undefined;
  path: string | undefined;
  headers: IncomingHttpHeaders;
  event: CallEvent;
}

/** A webhook on real HTTP that records every request and counts requests the client gave up on. */
interface HookServer {
  url: string;
  port: number;
  hits: Hit[];
  abortedByClient: number;
  stop(): Promise<void>;
}

async function startHookServer(answer: Answer = () => 200, port = 0): Promise<HookServer> {
  const hook: HookServer = { url: '', port: 0, hits: [], abortedByClient: 0, stop: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CallEvent;
      hook.hits.push({ method: req.method, path: req.url, headers: req.headers, event });
      res.on('close', () => { if (!res.writableFinished) hook.abortedByClient += 1; });
      void Promise.resolve(answer(event, hook.hits.length - 1)).then((status) => {
        if (status === 'hang') return;
        res.writeHead(status, { 'content-type': 'text/plain', location: '/elsewhere' }).end(`answer ${status}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  hook.port = (server.address() as AddressInfo).port;
  hook.url = `http://127.0.0.1:${hook.port}/hook`;
  hook.stop = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return hook;
}

/** A logger that keeps its records (nothing written anywhere). */
function recordingLogger(): { log: Logger; records: LogRecord[] } {
  const log = new Logger({ stderr: false, level: 'debug' });
  const records: LogRecord[] = [];
  log.addSink((record) => records.push(record));
  return { log, records };
}

function sinkFor(url: string, log: Logger, overrides: Partial<WebhookOptions> = {}): WebhookSink {
  return new WebhookSink({ url, timeoutMs: 2000, maxAttempts: 5, retryBaseMs: 20, maxQueued: 100, log, ...overrides });
}

function timedEmit(sink: WebhookSink, ...args: Parameters<WebhookSink['emit']>): number {
  const started = performance.now();
  sink.emit(...args);
  return performance.now() - started;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a simulated call: every event arrives once, in order, as one JSON POST with the right shape', async () => {
  const hook = await startHookServer();
  const { log } = recordingLogger();
  const sink = sinkFor(hook.url, log, { headers: { 'X-Token': 'abc123', 'Content-Type': 'text/plain' } });
  try {
    sink.emit('call_started', 'call-1', { callerNumber: '5551234' });
    for (const n of [1, 2, 3]) sink.emit('turn', 'call-1', { n, text: `turn ${n}` });
    sink.emit('tool_call', 'call-1', { name: 'transfer', arguments: { to: 'sales' } });
    sink.emit('call_ended', 'call-1', { status: 'completed' });
    assert.deepEqual(await sink.flush(5000), { delivered: 6, pending: 0, dropped: 0, failed: 0 });
    assert.deepEqual(hook.hits.map((hit) => [hit.event.kind, hit.event.seq]),
      [['call_started', 1], ['turn', 2], ['turn', 3], ['turn', 4], ['tool_call', 5], ['call_ended', 6]]);
    for (const hit of hook.hits) {
      assert.equal(hit.method, 'POST');
      assert.equal(hit.path, '/hook');
      assert.equal(hit.headers['content-type'], 'application/json');
      assert.equal(hit.headers['x-token'], 'abc123');
      assert.deepEqual(Object.keys(hit.event).sort(), ['at', 'callId', 'data', 'kind', 'seq']);
      assert.equal(hit.event.callId, 'call-1');
      assert.equal(new Date(hit.event.at).toISOString(), hit.event.at);
    }
    assert.deepEqual(hook.hits[4]?.event.data, { name: 'transfer', arguments: { to: 'sales' } });
    assert.deepEqual(sink.stats, { emitted: 6, delivered: 6, failed: 0, dropped: 0, abandoned: 0, pending: 0 });
  } finally {
    sink.close();
    await hook.stop();
  }
});

test('the webhook down for part of the call: emit never waits, and every event arrives once, in order', async () => {
  const first = await startHookServer();
  const { log, records } = recordingLogger();
  const sink = sinkFor(first.url, log, { retryBaseMs: 25, maxAttempts: 100 });
  let second: HookServer | undefined;
  try {
    sink.emit('call_started', 'call-2', {});
    assert.equal((await sink.flush(5000)).delivered, 1);
    await first.stop();
    const emitMs = [timedEmit(sink, 'turn', 'call-2', { n: 1 }), timedEmit(sink, 'turn', 'call-2', { n: 2 })];
    await sleep(250);
    assert.equal(sink.stats.pending, 2);
    assert.ok(records.some((r) => r.level === 'debug' && r.fields['error'] === 'ECONNREFUSED'), 'retries are logged at debug');
    second = await startHookServer(() => 200, first.port);
    emitMs.push(timedEmit(sink, 'turn', 'call-2', { n: 3 }), timedEmit(sink, 'tool_call', 'call-2', {}), timedEmit(sink, 'call_ended', 'call-2', {}));
    for (const ms of emitMs) assert.ok(ms < 50, `emit took ${ms.toFixed(1)} ms`);
    assert.deepEqual(await sink.flush(10_000), { delivered: 6, pending: 0, dropped: 0, failed: 0 });
    const seqs = [...first.hits, ...second.hits].map((hit) => hit.event.seq);
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6], 'in order, none twice');
    assert.ok(!records.some((r) => r.level === 'warn'), 'nothing was given up');
  } finally {
    sink.close();
    await second?.stop();
  }
});

test('500, 503, 408 and 429 are retried with the same body until a 2xx', async () => {
  for (const status of [500, 503, 408, 429]) {
    const hook = await startHookServer((_event, index) => (index === 0 ? status : 204));
    const { log, records } = recordingLogger();
    const sink = sinkFor(hook.url, log);
    try {
      sink.emit('turn', 'call-3', { n: 1 });
      assert.deepEqual(await sink.flush(5000), { delivered: 1, pending: 0, dropped: 0, failed: 0 }, `status ${status}`);
      assert.equal(hook.hits.length, 2);
      assert.deepEqual(hook.hits[0]?.event, hook.hits[1]?.event);
      assert.deepEqual(records.map((r) => [r.level, r.tag, r.fields['status'], r.fields['attempt']]), [['debug', 'HOOK', status, 1]]);
    } finally {
      sink.close();
      await hook.stop();
    }
  }
});

test('a 400 fails for good: one request, one warning, and the next event still goes', async () => {
  const hook = await startHookServer((event) => (event.seq === 1 ? 400 : 200));
  const { log, records } = recordingLogger();
  const sink = sinkFor(hook.url, log);
  try {
    sink.emit('call_started', 'call-4', {});
    sink.emit('call_ended', 'call-4', {});
    assert.deepEqual(await sink.flush(5000), { delivered: 1, pending: 0, dropped: 0, failed: 1 });
    assert.deepEqual(hook.hits.map((hit) => hit.event.seq), [1, 2]);
    assert.deepEqual(records.map((r) => [r.level, r.message, r.fields['status']]), [['warn', 'webhook refused the event; not retrying', 400]]);
  } finally {
    sink.close();
    await hook.stop();
  }
});

test('a redirect is not followed: failed for good', async () => {
  const hook = await startHookServer(() => 302);
  const { log, records } = recordingLogger();
  const sink = sinkFor(hook.url, log);
  try {
    sink.emit('turn', 'call-5', {});
    assert.equal((await sink.flush(5000)).failed, 1);
    assert.deepEqual(hook.hits.map((hit) => hit.path), ['/hook']);
    assert.match(records[0]?.message ?? '', /redirect \(not followed\)/);
  } finally {
    sink.close();
    await hook.stop();
  }
});

test('a hanging server: the attempt is aborted at timeoutMs and retried', async () => {
  const hook = await startHookServer((_event, index) => (index === 0 ? 'hang' : 200));
  const { log, records } = recordingLogger();
  const sink = sinkFor(hook.url, log, { timeoutMs: 150 });
  try {
    const started = performance.now();
    sink.emit('turn', 'call-6', {});
    assert.equal((await sink.flush(5000)).delivered, 1);
    assert.ok(performance.now() - started >= 140);
    assert.equal(hook.hits.length, 2);
    for (let i = 0; i < 50 && hook.abortedByClient === 0; i += 1) await sleep(10);
    assert.equal(hook.abortedByClient, 1, 'the first request was aborted by the client');
    assert.deepEqual(records.map((r) => [r.level, r.fields['error'], r.fields['detail']]), [['debug', 'TIMEOUT', 'no answer within 150 ms']]);
  } finally {
    sink.close();
    await hook.stop();
  }
});

test('after maxAttempts an event is counted failed with one warning; a debug line per retry', async () => {
  const hook = await startHookServer(() => 502);
  const { log, records } = recordingLogger();
  const sink = sinkFor(hook.url, log, { maxAttempts: 3, retryBaseMs: 10 });
  try {
    sink.emit('turn', 'call-7', {});
    assert.deepEqual(await sink.flush(5000), { delivered: 0, pending: 0, dropped: 0, failed: 1 });
    assert.equal(hook.hits.length, 3);
    assert.deepEqual(records.map((r) => [r.level, r.fields['attempt']]), [['debug', 1], ['debug', 2], ['warn', 3]]);
    assert.equal(records[2]?.message, 'webhook gave up on an event');
  } finally {
    sink.close();
    await hook.stop();
  }
});

test('maxQueued: beyond it the oldest waiting events are dropped and counted; the one in flight stays', async () => {
  let release: () => void = () => {};
  const held = new Promise<number>((resolve) => { release = () => resolve(200); });
  const hook = await startHookServer((_event, index) => (index === 0 ? held : 200));
  const { log, records } = recordingLogger();
  const sink = sinkFor(hook.url, log, { maxQueued: 2 });
  try {
    sink.emit('call_started', 'call-8', {});
    for (let i = 0; i < 100 && hook.hits.length === 0; i += 1) await sleep(10);
    for (let n = 1; n <= 5; n += 1) sink.emit('turn', 'call-8', { n });
    assert.deepEqual(sink.stats, { emitted: 6, delivered: 0, failed: 0, dropped: 3, abandoned: 0, pending: 3 });
    release();
    assert.deepEqual(await sink.flush(5000), { delivered: 3, pending: 0, dropped: 3, failed: 0 });
    assert.deepEqual(hook.hits.map((hit) => hit.event.seq), [1, 5, 6]);
    assert.deepEqual(records.map((r) => r.level), ['warn', 'debug', 'debug'], 'one warning per sink, then debug');
  } finally {
    sink.close();
    await hook.stop();
  }
});

test('flush returns by its deadline when the server never answers; close aborts and abandons', async () => {
  const hook = await startHookServer(() => 'hang');
  const { log } = recordingLogger();
  const sink = sinkFor(hook.url, log, { timeoutMs: 10_000 });
  try {
    sink.emit('turn', 'call-9', {});
    sink.emit('turn', 'call-9', {});
    const started = performance.now();
    assert.deepEqual(await sink.flush(300), { delivered: 0, pending: 2, dropped: 0, failed: 0 });
    const elapsedMs = performance.now() - started;
    assert.ok(elapsedMs >= 290 && elapsedMs < 300 + 700, `flush took ${elapsedMs.toFixed(0)} ms`);
    sink.close();
    sink.emit('call_ended', 'call-9', {});
    assert.deepEqual(sink.stats, { emitted: 3, delivered: 0, failed: 0, dropped: 0, abandoned: 3, pending: 0 });
    assert.deepEqual(await sink.flush(5000), { delivered: 0, pending: 0, dropped: 0, failed: 0 });
    for (let i = 0; i < 50 && hook.abortedByClient === 0; i += 1) await sleep(10);
    assert.equal(hook.abortedByClient, 1, 'close aborted the request in flight');
  } finally {
    sink.close();
    await hook.stop();
  }
});

test('no header value reaches a log line, whatever fails', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-webhook-'));
  const log = new Logger({ filePath: join(dir, 'call.log'), level: 'debug' });
  const secrets = { authorization: 'Bearer sekret-AAA-111', 'x-api-key': 'kee-BBB-222' };
  const hook = await startHookServer((event) => (event.seq === 1 ? 500 : 401));
  const down = await startHookServer();
  await down.stop();
  const sinks = [
    sinkFor(hook.url, log, { headers: secrets, maxAttempts: 2, retryBaseMs: 5, maxQueued: 1 }),
    sinkFor(down.url, log, { headers: secrets, maxAttempts: 2, retryBaseMs: 5 }),
    sinkFor('https://hooks.example/x', log, {
      headers: secrets,
      maxAttempts: 2,
      retryBaseMs: 5,
      fetchImpl: () => Promise.reject(new TypeError('fetch failed', { cause: new Error(`bad header ${secrets.authorization} / ${secrets['x-api-key']}`) })),
    }),
  ];
  try {
    for (const sink of sinks) {
      sink.emit('call_started', 'call-10', {});
      sink.emit('turn', 'call-10', {});
      sink.emit('call_ended', 'call-10', {});
    }
    for (const sink of sinks) assert.equal((await sink.flush(5000)).pending, 0);
    assert.equal(hook.hits[0]?.headers['authorization'], secrets.authorization, 'the headers are sent');
    assert.throws(() => sinkFor(hook.url, log, { headers: { 'x-bad': 'sekret\r\nX-Evil: 1' } }),
      (error: Error) => /x-bad/.test(error.message) && !error.message.includes('sekret'));
    const text = readFileSync(join(dir, 'call.log'), 'utf8');
    for (const level of ['DEBUG', 'WARN']) assert.match(text, new RegExp(`${level} \\[HOOK\\]`));
    assert.match(text, /\[header value\]/, 'the fake fetch error was masked');
    assert.match(text, /ECONNREFUSED/);
    for (const value of Object.values(secrets)) assert.ok(!text.includes(value), `${value} is in the log:\n${text}`);
    assert.ok(!text.includes('sekret') && !text.includes('kee-BBB'));
  } finally {
    for (const sink of sinks) sink.close();
    log.close();
    await hook.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('emit never throws: data that is not JSON goes without its data, under its own seq', async () => {
  const hook = await startHookServer();
  const { log, records } = recordingLogger();
  const sink = sinkFor(hook.url, log);
  try {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    sink.emit('turn', 'call-11', circular);
    sink.emit('say_do_mismatch', 'call-11', { big: 10n });
    sink.emit('turn', 'call-12', { ok: true });
    assert.equal((await sink.flush(5000)).delivered, 3);
    assert.deepEqual(hook.hits.map((hit) => [hit.event.callId, hit.event.seq, hit.event.data]), [
      ['call-11', 1, { error: 'data not serializable as JSON' }],
      ['call-11', 2, { error: 'data not serializable as JSON' }],
      ['call-12', 1, { ok: true }],
    ]);
    assert.equal(records.filter((r) => r.level === 'warn').length, 2);
  } finally {
    sink.close();
    await hook.stop();
  }
});

test('checkWebhookUrl and the constructor refuse what fetch cannot post, without echoing the URL', () => {
  assert.equal(checkWebhookUrl('https://hooks.example/voicebot?token=x'), undefined);
  assert.equal(checkWebhookUrl('http://127.0.0.1:8080/hook'), undefined);
  assert.match(checkWebhookUrl('ftp://hooks.example/x') ?? '', /must start with http:\/\/ or https:\/\//);
  assert.match(checkWebhookUrl('hooks.example/x') ?? '', /not an absolute URL/);
  assert.match(checkWebhookUrl('') ?? '', /not an absolute URL/);
  const withPassword = checkWebhookUrl('https://admin:pa55word@hooks.example/x') ?? '';
  assert.match(withPassword, /header/);
  assert.ok(!withPassword.includes('pa55word'));
  const { log } = recordingLogger();
  assert.throws(() => sinkFor('file:///etc/passwd', log), { code: 'WEBHOOK_OPTIONS' });
  assert.throws(() => sinkFor('http://127.0.0.1/', log, { maxAttempts: 0 }), /maxAttempts must be a whole number >= 1/);
  assert.throws(() => sinkFor('http://127.0.0.1/', log, { timeoutMs: Number.NaN }), /timeoutMs/);
});

test('backoffMs: doubles per failed attempt, jitter in the upper half, capped at 30 s', () => {
  assert.equal(backoffMs(100, 1, () => 0), 50);
  assert.equal(backoffMs(100, 1, () => 1), 100);
  assert.equal(backoffMs(100, 3, () => 1), 400);
  assert.equal(backoffMs(100, 40, () => 1), MAX_BACKOFF_MS);
  assert.equal(backoffMs(100, 40, () => 0), MAX_BACKOFF_MS / 2);
});

test('a retry timer never holds the process; flush holds it until its deadline', async () => {
  const down = await startHookServer();
  await down.stop();
  const script = `
    import { WebhookSink } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../src/webhook/sink.ts')).href)};
    import { Logger } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../src/log.ts')).href)};
    const sink = new WebhookSink({ url: process.env.HOOK_URL, timeoutMs: 1000, maxAttempts: 5, retryBaseMs: 20000, maxQueued: 10, log: new Logger() });
    sink.emit('call_ended', 'call-13', {});
    if (process.env.FLUSH_MS) process.stdout.write(JSON.stringify(await sink.flush(Number(process.env.FLUSH_MS))));
  `;
  const run = (env: Record<string, string>) => new Promise<{ code: number | null; stdout: string; elapsedMs: number }>((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, HOOK_URL: down.url, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.on('close', (code) => resolve({ code, stdout, elapsedMs: performance.now() - started }));
  });
  const bare = await run({});
  assert.equal(bare.code, 0);
  assert.ok(bare.elapsedMs < 5000, `the process lived ${bare.elapsedMs.toFixed(0)} ms past a 10-20 s backoff`);
  const flushed = await run({ FLUSH_MS: '700' });
  assert.equal(flushed.code, 0);
  assert.deepEqual(JSON.parse(flushed.stdout), { delivered: 0, pending: 1, dropped: 0, failed: 0 });
  assert.ok(flushed.elapsedMs >= 650, `flush held the process only ${flushed.elapsedMs.toFixed(0)} ms`);
});
