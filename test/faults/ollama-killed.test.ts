import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callerTimeline, describeRun, readStore, startFaultCall, storeProblems } from './support/call.ts';
import { hookedOllama } from './support/ollama.ts';

const caller = callerTimeline([700, { speakMs: 900 }, 6000]);

test('Ollama killed mid-stream: the caller hears the apology, the dialplan gets LLM_FAILED + handoff, exit 0', async (t) => {
  // The first sentence arrives; then the server dies (sockets destroyed, port closed).
  const ollama = await hookedOllama((_n, self) => { setTimeout(() => void self.close(), 200); },
    { content: 'Sure. We open at nine on Saturday and we close at five in the afternoon.', firstTokenDelayMs: 30 }, 40);
  const run = await startFaultCall({ callerAudio: caller, ollamaHost: ollama.host, timeScale: 2, events: [{ action: 'hangup', atMs: 12_000 }] });
  const result = await run.finished;
  t.after(() => ollama.close());
  const context = describeRun(result);
  assert.equal(result.exitCode, 0, context);
  assert.equal(result.killed, false, context);
  assert.deepEqual(result.leftoverPids, []);
  const commands = result.commands.map((r) => r.cmd);
  const firstReply = commands.findIndex((c) => /^STREAM FILE \S+\/calls\//.test(c));
  assert.ok(firstReply !== -1, `the first sentence was played before the failure\n${context}`);
  const status = commands.indexOf('SET VARIABLE VOICEBOT_STATUS "LLM_FAILED"');
  assert.ok(status > firstReply, `VOICEBOT_STATUS=LLM_FAILED set for the dialplan\n${context}`);
  assert.ok(commands.includes('SET VARIABLE VOICEBOT_ACTION "handoff"'), context);
  const apology = commands.slice(firstReply + 1, status).some((c) => /^STREAM FILE \S+\/phrases\//.test(c));
  assert.ok(apology, `an apology phrase plays between the reply and the handoff (no dead air)\n${context}`);
  assert.equal(result.hangupAtMs, undefined, 'voicebot handed the call back before the caller hung up');
  assert.deepEqual(storeProblems(result), [], context);
  const stored = readStore(result.dbPath);
  assert.match(stored.turns.at(-1)?.text ?? '', /^Sure\./, 'the part of the reply that was spoken is stored');
  assert.equal(stored.calls[0]?.status, 'LLM_FAILED');
});
