import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { takeLoadTurn } from '../../src/call/load-lane.ts';
import { startFakeOllama, type FakeOllama } from '../../src/simulate/fake-ollama.ts';
import { testCallConfig } from '../support/call-config.ts';
import { callerTimeline, describeRun, SHORT_CALL_SETTINGS, startFaultCall } from './support/call.ts';

/**
 * model_load_lanes in a real call process: the test holds the host's only load lane itself (the
 * lane is scoped by the call log path), so the order is certain: the call answers and greets at
 * once, builds its detector and loads its model only once the lane is free (or its wait is over),
 * and then hears what the caller said meanwhile.
 */
let ollama: FakeOllama;
before(async () => { ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 }); });
after(async () => { await ollama.close(); });

const live = () => new AbortController().signal;
const logOf = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const replies = (commands: { cmd: string }[]) => commands.filter((c) => /^STREAM FILE \S+\/calls\//.test(c.cmd)).length;

test('the only lane taken: the call greets at once, loads when the lane frees, then answers what was said meanwhile', async () => {
  const config = testCallConfig({ ollamaHost: ollama.host, extra: { ...SHORT_CALL_SETTINGS, model_load_lanes: 1, model_load_wait_ms: 30_000 } });
  const held = await takeLoadTurn({ scope: config.dbPath, lanes: 1, maxWaitMs: 0, signal: live() });
  assert.equal(held.lane, 0);
  const question = callerTimeline([2000, { speakMs: 900 }, 7000]);
  const run = await startFaultCall({ callerAudio: question, ollamaHost: ollama.host, configPath: config.configPath, events: [{ action: 'hangup', atMs: 9900 }] });
  await until(() => /\[CALL\] \S+ greeting /.test(logOf(config.logFile)), 20_000, 'the greeting');
  await sleep(1500);
  assert.doesNotMatch(logOf(config.logFile), /speech detector ready|\[STT\] \S+ model loaded/, 'nothing loads while the lane is taken');
  held.release();
  const result = await run.finished;
  const log = logOf(config.logFile);
  const context = `${describeRun(result)}\n${log}`;
  const waited = /load lane lane=0 waitedMs=(\d+)/.exec(log);
  assert.ok(waited !== null && Number(waited[1]) >= 1200, `the call waited for the lane\n${context}`);
  assert.match(log, /speech detector ready/, context);
  assert.equal(replies(result.commands), 1, `the question asked during the wait is answered\n${context}`);
});

test('a lane held past model_load_wait_ms: the call loads anyway and answers', async () => {
  const config = testCallConfig({ ollamaHost: ollama.host, extra: { ...SHORT_CALL_SETTINGS, model_load_lanes: 1, model_load_wait_ms: 800 } });
  const held = await takeLoadTurn({ scope: config.dbPath, lanes: 1, maxWaitMs: 0, signal: live() });
  try {
    const question = callerTimeline([2500, { speakMs: 900 }, 5000]);
    const run = await startFaultCall({ callerAudio: question, ollamaHost: ollama.host, configPath: config.configPath, events: [{ action: 'hangup', atMs: 8400 }] });
    const result = await run.finished;
    const log = logOf(config.logFile);
    const context = `${describeRun(result)}\n${log}`;
    assert.match(log, /load lane lane=waited-out waitedMs=\d+/, context);
    assert.equal(replies(result.commands), 1, `answered although the lane never freed\n${context}`);
  } finally {
    held.release();
  }
});
