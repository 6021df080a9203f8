import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { checkOllama, sameModel } from '../../src/llm/health.ts';
import { closedPortHost, startFakeOllama } from '../../src/simulate/fake-ollama.ts';

test('health: reachable with the model pulled is ok; llama3.2 matches llama3.2:latest', async () => {
  const fake = await startFakeOllama({ models: ['llama3.2:latest', 'qwen2.5:3b'], version: '0.9.0' });
  try {
    const ok = await checkOllama(fake.host, 'llama3.2');
    assert.equal(ok.ok, true, ok.detail);
    assert.match(ok.detail, /Ollama 0\.9\.0/);
    assert.deepEqual(fake.requests.map((r) => r.path), ['/api/version', '/api/tags']);
    const missing = await checkOllama(fake.host, 'mistral:7b');
    assert.equal(missing.ok, false);
    assert.match(missing.detail, /has no model 'mistral:7b' \(it has: llama3\.2:latest, qwen2\.5:3b\)/);
    assert.match(missing.fix, /ollama pull mistral:7b/);
  } finally {
    await fake.close();
  }
});

test('health: connection refused says how to start Ollama or set OLLAMA_HOST', async () => {
  const result = await checkOllama(await closedPortHost(), 'llama3.2');
  assert.equal(result.ok, false);
  assert.match(result.detail, /ECONNREFUSED/);
  assert.match(result.fix, /OLLAMA_HOST/);
});

test('health: a server that never answers fails within the timeout', async () => {
  const server = createServer(() => { /* never answers */ });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const started = performance.now();
    const result = await checkOllama(host, 'llama3.2', { timeoutMs: 300 });
    assert.equal(result.ok, false);
    assert.match(result.detail, /no answer .* within 300 ms/);
    assert.ok(performance.now() - started < 300 + 1500);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('health: something that is not Ollama (404 on /api/version) is reported, not thrown', async () => {
  const server = createServer((_req, res) => { res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>nginx</h1>'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const result = await checkOllama(host, 'llama3.2');
    assert.equal(result.ok, false);
    assert.match(result.detail, /answers but does not look like Ollama \(Ollama answered HTTP 404: <h1>nginx<\/h1>\)/);
    assert.match(result.fix, /11434/);
  } finally {
    server.close();
  }
  assert.equal(sameModel('Llama3.2', 'llama3.2:latest'), true);
  assert.equal(sameModel('llama3.2:1b', 'llama3.2'), false);
});

test('warm-up loads the model with keep_alive and reports a missing model or a dead host as a code', async () => {
  const { warmUpModel } = await import('../../src/llm/warm-up.ts');
  const { testSettings } = await import('./helpers.ts');
  const fake = await startFakeOllama({ models: ['fake-demo'] });
  try {
    const ok = await warmUpModel(testSettings(fake.host, { keepAliveSeconds: 600 }));
    assert.equal(ok.ok, true);
    const body = fake.requests.at(-1)?.body as { messages: unknown[]; keep_alive: number; stream: boolean };
    assert.deepEqual([body.messages, body.keep_alive, body.stream], [[], 600, false]);
    const missing = await warmUpModel(testSettings(fake.host, { model: 'nope:1b' }));
    assert.equal(missing.ok ? 'ok' : missing.code, 'LLM_MODEL_MISSING');
  } finally {
    await fake.close();
  }
  const dead = await warmUpModel(testSettings(await closedPortHost()));
  assert.equal(dead.ok ? 'ok' : dead.code, 'LLM_UNREACHABLE');
});
