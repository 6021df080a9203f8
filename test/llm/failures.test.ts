import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closedPortHost, longReply, startFakeOllama, type FakeOllama, type FakeReply } from '../../src/simulate/fake-ollama.ts';
import { conversation, drain, recordingLogger, testSettings } from './helpers.ts';

// Every failure goes through the real ollama client and real HTTP. Bounds are generous: the point
// is that an outcome always arrives, typed, and not long after the configured timeouts.
const FIRST_TOKEN_MS = 400;
const TOTAL_MS = 1200;
const SLACK_MS = 1500;

let fake: FakeOllama;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => { unhandled.push(reason); };

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  fake = await startFakeOllama({ models: ['fake-demo'], tokenDelayMs: 5 });
});
after(async () => {
  await fake.close();
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, [], 'no unhandled rejections');
});

async function turnWith(reply: FakeReply, callerText = 'hello') {
  fake.enqueue(reply);
  return drain(conversation(testSettings(fake.host)).respond(callerText));
}

const cases: { name: string; reply: FakeReply; code: string; bound: number; partial?: boolean }[] = [
  { name: 'hang before headers', reply: { failure: 'hang-before-headers' }, code: 'LLM_TIMEOUT', bound: FIRST_TOKEN_MS },
  { name: 'hang before the first token', reply: { failure: 'hang-before-first-token' }, code: 'LLM_TIMEOUT', bound: FIRST_TOKEN_MS },
  { name: 'hang mid-stream', reply: { content: 'One two three four five.', failure: 'hang-mid-stream', failAfterTokens: 3 }, code: 'LLM_TIMEOUT', bound: TOTAL_MS, partial: true },
  { name: 'malformed JSON line', reply: { content: 'One two three four.', failure: 'malformed-json', failAfterTokens: 2 }, code: 'LLM_BAD_RESPONSE', bound: TOTAL_MS, partial: true },
  { name: 'disconnect mid-stream', reply: { content: 'One two three four.', failure: 'disconnect-mid-stream', failAfterTokens: 2 }, code: 'LLM_BAD_RESPONSE', bound: TOTAL_MS, partial: true },
  { name: 'stream without done', reply: { content: 'One two.', failure: 'no-done' }, code: 'LLM_BAD_RESPONSE', bound: TOTAL_MS },
  { name: 'error line in the stream', reply: { content: 'One two three.', failure: 'error-line', failAfterTokens: 1 }, code: 'LLM_SERVER_ERROR', bound: TOTAL_MS },
  { name: 'HTTP 500 with a plain-text body', reply: { failure: 'http-500' }, code: 'LLM_SERVER_ERROR', bound: TOTAL_MS },
  { name: 'empty reply', reply: { content: '' }, code: 'LLM_BAD_RESPONSE', bound: TOTAL_MS },
  { name: 'slow trickle past the total timeout', reply: { ...longReply(400), tokenDelayMs: 100 }, code: 'LLM_TIMEOUT', bound: TOTAL_MS, partial: true },
];

for (const c of cases) {
  test(`failure: ${c.name} → ${c.code}, within the timeouts`, async () => {
    const { outcome, elapsedMs, deltas } = await turnWith(c.reply);
    assert.equal(outcome.type, 'error');
    if (outcome.type !== 'error') return;
    assert.equal(outcome.code, c.code, outcome.message);
    assert.ok(elapsedMs < c.bound + SLACK_MS, `outcome after ${elapsedMs} ms`);
    assert.ok(outcome.stats.totalMs < c.bound + SLACK_MS);
    assert.equal(outcome.text, deltas.join('').trim(), 'outcome text is what was streamed');
    if (c.partial === true) assert.ok(outcome.text.length > 0, 'the part already streamed is reported');
  });
}

test('failure: connection refused → LLM_UNREACHABLE naming the host and the fix', async () => {
  const host = await closedPortHost();
  const { outcome, elapsedMs } = await drain(conversation(testSettings(host)).respond('hello'));
  assert.equal(outcome.type, 'error');
  if (outcome.type !== 'error') return;
  assert.equal(outcome.code, 'LLM_UNREACHABLE');
  assert.equal(outcome.retryable, true);
  assert.match(outcome.message, new RegExp(host.replace(/[.:/]/g, '\\$&')));
  assert.match(outcome.message, /OLLAMA_HOST/);
  assert.ok(elapsedMs < TOTAL_MS + SLACK_MS);
});

test('failure: unknown model (404) → LLM_MODEL_MISSING naming `ollama pull <model>`, not retryable', async () => {
  const { outcome } = await drain(conversation(testSettings(fake.host, { model: 'llama9:70b' })).respond('hello'));
  assert.equal(outcome.type, 'error');
  if (outcome.type !== 'error') return;
  assert.equal(outcome.code, 'LLM_MODEL_MISSING');
  assert.equal(outcome.retryable, false);
  assert.match(outcome.message, /ollama pull llama9:70b/);
});

test('very long reply: the server cap (num_predict) ends it as truncated text', async () => {
  fake.enqueue(longReply(5000, { tokenDelayMs: 0 }));
  const { outcome } = await drain(conversation(testSettings(fake.host, { maxReplyTokens: 50 })).respond('talk a lot'));
  assert.equal(outcome.type, 'text');
  if (outcome.type !== 'text') return;
  assert.equal(outcome.truncated, true);
  assert.equal(outcome.text.split(' ').length, 50);
  const body = fake.requests.at(-1)?.body as { options: { num_predict: number } };
  assert.equal(body.options.num_predict, 50);
});

test('very long reply from a server that ignores num_predict: the client stops reading', async () => {
  const ignoring = await startFakeOllama({ honourNumPredict: false });
  try {
    ignoring.enqueue(longReply(5000, { tokenDelayMs: 0 }));
    const { outcome } = await drain(conversation(testSettings(ignoring.host, { maxReplyTokens: 50 })).respond('talk a lot'));
    assert.equal(outcome.type, 'text');
    if (outcome.type !== 'text') return;
    assert.equal(outcome.truncated, true);
    assert.ok(outcome.text.split(' ').length < 100, `${outcome.text.split(' ').length} words`);
  } finally {
    await ignoring.close();
  }
});

test('failures are logged with their code and the client prints nothing to stdout or stderr', async () => {
  const { log, records } = recordingLogger();
  const printed: string[] = [];
  // The test runner talks to its parent through stdout in binary; text writes are console output.
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') {
        printed.push(chunk);
        return true;
      }
      return (originals[i] as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  try {
    for (const reply of [{ failure: 'http-500' }, { content: 'a b c', failure: 'malformed-json', failAfterTokens: 1 }] as FakeReply[]) {
      fake.enqueue(reply);
      await drain(conversation(testSettings(fake.host), log).respond('hi'));
    }
  } finally {
    streams.forEach((stream, i) => { stream.write = originals[i] as typeof stream.write; });
  }
  assert.deepEqual(printed, [], 'the ollama client printed nothing');
  assert.deepEqual(records.filter((r) => r.message === 'turn error').map((r) => r.fields['code']), ['LLM_SERVER_ERROR', 'LLM_BAD_RESPONSE']);
});

test('barge-in while the server has not answered yet gives an aborted outcome at once', async () => {
  fake.enqueue({ failure: 'hang-before-headers' });
  const controller = new AbortController();
  const turn = conversation(testSettings(fake.host, { firstTokenTimeoutMs: 5000, totalTimeoutMs: 10000 })).respond('hello', { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  const { outcome, elapsedMs } = await drain(turn);
  assert.equal(outcome.type, 'aborted');
  assert.ok(elapsedMs < 2000, `took ${elapsedMs} ms`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(fake.requests.at(-1)?.clientAborted, true);
});
