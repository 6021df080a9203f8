import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rms } from '../../src/audio/pcm.ts';
import { startFakeOllama, type FakeOllama } from '../../src/simulate/fake-ollama.ts';
import type { FakeAri } from '../../src/simulate/ari/fake-ari.ts';
import { callerTimeline } from '../faults/support/call.ts';
import { readStore, startFakeAsterisk, startServe, type ServeProcess } from './support/serve.ts';

/**
 * Whole calls over ARI: the fake Asterisk (REST, events and chan_websocket media as a real 22.10.1
 * answers them) places calls into Stasis(voicebot,...); a real `voicebot serve` process runs them.
 */
let ollama: FakeOllama;
let fake: FakeAri;
let serve: ServeProcess;
before(async () => {
  ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 });
  fake = await startFakeAsterisk();
  serve = await startServe({ fake, ollamaHost: ollama.host });
});
after(async () => {
  await serve.stop();
  await fake.close();
  await ollama.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const context = () => `${serve.log()}\nrequests:\n${fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`).join('\n')}`;

/** Stretches of non-silent 20 ms frames the caller heard (greeting, replies). */
function heardStretches(samples: Int16Array, rateHz: number): number {
  const frame = (rateHz * 20) / 1000;
  let stretches = 0;
  let inSound = false;
  for (let i = 0; i + frame <= samples.length; i += frame) {
    const loud = rms(samples.subarray(i, i + frame)) > 300;
    if (loud && !inSound) stretches += 1;
    inSound = loud;
  }
  return stretches;
}

const leftovers = () => ({
  bridges: fake.bridges(),
  media: fake.channels().filter((c) => String(c['name']).startsWith('WebSocket/')),
});

async function noLeftovers(): Promise<void> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && (leftovers().bridges.length > 0 || leftovers().media.length > 0)) await sleep(50);
  assert.deepEqual(leftovers(), { bridges: [], media: [] }, `every bridge and media channel deleted\n${context()}`);
}

test('a call over ARI: greeting, two answered turns, the caller hangs up; rows stored, media channel and bridge deleted', async () => {
  const call = fake.placeCall({ args: ['general'], callerNumber: '5551234', callerAudio: callerTimeline([2500, { speakMs: 900 }, 3500, { speakMs: 900 }, 4000]), callerRateHz: 8000, sendSilence: true });
  const timer = setTimeout(() => call.hangup(), 12_000);
  const end = await call.ended;
  clearTimeout(timer);
  assert.equal(end.how, 'caller-hangup', context());
  await noLeftovers();
  const store = readStore(serve.dbPath);
  const row = store.calls.find((c) => store.turns.some((t) => t.call_id === c.id));
  assert.ok(row !== undefined, `the call is stored\n${context()}`);
  assert.equal(row.status, 'CALLER_HANGUP');
  const turns = store.turns.filter((t) => t.call_id === row.id);
  assert.equal(turns.filter((t) => t.role === 'caller').length, 2, `two caller turns\n${JSON.stringify(turns)}\n${context()}`);
  assert.equal(turns.filter((t) => t.role === 'bot' && t.text.includes('nine')).length, 2, `two replies\n${JSON.stringify(turns)}`);
  const heard = call.heard();
  assert.ok(heardStretches(heard.samples, heard.rateHz) >= 3, `the caller heard the greeting and two replies\n${context()}`);
});

test('the operator key: VOICEBOT_ACTION=transfer to operator_destination, the channel goes on in the dialplan', async () => {
  const call = fake.placeCall({ args: ['general'], callerAudio: callerTimeline([8000]), callerRateHz: 8000, sendSilence: true });
  const dtmf = setTimeout(() => call.sendDtmf('0'), 2500);
  const timer = setTimeout(() => call.hangup(), 12_000);
  const end = await call.ended;
  clearTimeout(timer);
  clearTimeout(dtmf);
  assert.equal(end.how, 'continue', context());
  assert.equal(end.variables['VOICEBOT_ACTION'], 'transfer', context());
  assert.equal(end.variables['VOICEBOT_TRANSFER_TO'], 'operator');
  await noLeftovers();
});

test('an unknown profile: not answered, VOICEBOT_STATUS=ERROR and back to the dialplan; the refusal is stored', async () => {
  const call = fake.placeCall({ args: ['no-such-profile'], callerAudio: callerTimeline([3000]), callerRateHz: 8000 });
  const end = await call.ended;
  assert.equal(end.how, 'continue', context());
  assert.deepEqual([end.variables['VOICEBOT_STATUS'], end.variables['VOICEBOT_ACTION']], ['ERROR', 'handoff']);
  assert.ok(!fake.requests.some((r) => r.path === `/ari/channels/${call.channelId}/answer`), 'never answered');
  const stored = () => readStore(serve.dbPath).calls.some((c) => c.end_reason === 'setup_error');
  for (let waited = 0; !stored() && waited < 3000; waited += 50) await sleep(50);
  assert.ok(stored(), 'the refused call is in the call log');
  await noLeftovers();
});
