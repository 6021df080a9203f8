import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startFakeOllama, type FakeOllama } from '../../src/simulate/fake-ollama.ts';
import { callerTimeline, describeRun, startFaultCall } from './support/call.ts';

/**
 * A running call starved of CPU (here: stopped outright) for longer than Asterisk's default fd 3
 * pipe holds (64 KiB = 4 s of slin): once its model is loaded the call grows the pipe, so the
 * fake Asterisk's non-blocking writes keep fitting and the question asked meanwhile is answered.
 */
let ollama: FakeOllama;
before(async () => { ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 }); });
after(async () => { await ollama.close(); });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const STOPPED_MS = 6000;

test('a call stopped for 6 s after its start-up loses no caller audio and answers what was said meanwhile', async () => {
  const question = callerTimeline([3000, { speakMs: 900 }, 14_000]);
  const run = await startFaultCall({ callerAudio: question, ollamaHost: ollama.host, events: [{ action: 'hangup', atMs: 16_000 }] });
  const logOf = () => (existsSync(run.logFile) ? readFileSync(run.logFile, 'utf8') : '');
  const deadline = Date.now() + 20_000;
  while (!/\[STT\] \S+ model loaded/.test(logOf())) {
    if (Date.now() > deadline) throw new Error(`the model never loaded\n${logOf()}`);
    await sleep(20);
  }
  const pid = run.voicebotPid();
  assert.ok(pid !== undefined, 'the voicebot process runs');
  process.kill(pid, 'SIGSTOP');
  const stoppedAtMs = Date.now();
  await sleep(STOPPED_MS);
  process.kill(pid, 'SIGCONT');
  const result = await run.finished;
  const context = `${describeRun(result)}\n${result.log}`;
  assert.ok(Date.now() - stoppedAtMs > STOPPED_MS, 'the call outlived the stop');
  assert.ok(result.fd3BytesWritten > 16_000 * (STOPPED_MS / 1000), `audio kept flowing during the stop\n${context}`);
  assert.equal(result.fd3BytesDropped, 0, `no caller audio was dropped by the fake Asterisk\n${context}`);
  const replies = result.commands.filter((c) => /^STREAM FILE \S+\/calls\//.test(c.cmd)).length;
  assert.equal(replies, 1, `the question asked while the call was stopped is answered\n${context}`);
});
