import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeOllama } from '../../src/simulate/fake-ollama.ts';
import { callerTimeline } from '../faults/support/call.ts';
import { ARI_PASSWORD, ARI_USER, readStore, startFakeAsterisk, startServe } from './support/serve.ts';

/** serve when things go wrong: a dead LLM, the events socket dropping, SIGTERM, Asterisk stopping. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

test('the LLM is down: the caller hears the apology, the dialplan gets LLM_FAILED and the channel back', async () => {
  const fake = await startFakeAsterisk();
  const serve = await startServe({ fake, ollamaHost: 'http://127.0.0.1:9' });
  try {
    const call = fake.placeCall({ args: [], callerAudio: callerTimeline([2000, { speakMs: 900 }, 8000]), callerRateHz: 8000, sendSilence: true });
    const timer = setTimeout(() => call.hangup(), 15_000);
    const end = await call.ended;
    clearTimeout(timer);
    const context = serve.log();
    assert.equal(end.how, 'continue', context);
    assert.equal(end.variables['VOICEBOT_STATUS'], 'LLM_FAILED', context);
    assert.equal(end.variables['VOICEBOT_ACTION'], 'handoff', context);
    assert.match(context, /apolog|trouble/i, 'the apology was spoken');
  } finally {
    await serve.stop();
    await fake.close();
  }
});

test('the events socket drops mid-call and comes back: the call goes on and its next turn is answered', async () => {
  const ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 });
  const fake = await startFakeAsterisk();
  const serve = await startServe({ fake, ollamaHost: ollama.host });
  try {
    const call = fake.placeCall({ args: [], callerAudio: callerTimeline([2000, { speakMs: 900 }, 3500, { speakMs: 900 }, 4000]), callerRateHz: 8000, sendSilence: true });
    await serve.until(/bot replied/, 15_000);
    fake.dropEventSockets({ clean: false });
    await serve.until(/events reconnected/, 10_000);
    await serve.until(/resynchronised/, 10_000);
    await until(() => (serve.log().match(/bot replied/g) ?? []).length >= 2, 15_000, 'the second reply');
    call.hangup();
    await call.ended;
    await until(() => fake.bridges().length === 0, 5000, 'the bridge deleted');
    const store = readStore(serve.dbPath);
    assert.equal(store.turns.filter((t) => t.role === 'bot' && t.text.includes('nine')).length, 2, serve.log());
  } finally {
    await serve.stop();
    await fake.close();
    await ollama.close();
  }
});

test('the caller hangs up while the events socket is down: the resync ends the call and cleans up', async () => {
  const ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 });
  const fake = await startFakeAsterisk();
  const serve = await startServe({ fake, ollamaHost: ollama.host, extra: { } });
  try {
    const call = fake.placeCall({ args: [], callerAudio: callerTimeline([20_000]), callerRateHz: 8000, sendSilence: true });
    await serve.until(/media up/, 10_000);
    await sleep(500);
    fake.dropEventSockets({ clean: true });
    call.hangup();
    await call.ended;
    await serve.until(/resynchronised/, 10_000);
    await until(() => fake.bridges().length === 0 && !fake.channels().some((c) => String(c['name']).startsWith('WebSocket/')), 8000, 'the bridge and media channel deleted');
    await until(() => readStore(serve.dbPath).calls.some((c) => c.ended_at !== null), 5000, 'the call row closed');
  } finally {
    await serve.stop();
    await fake.close();
    await ollama.close();
  }
});

test('SIGTERM with calls up: each goes back to the dialplan with VOICEBOT_STATUS=ERROR, rows closed, exit 0', async () => {
  const ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 });
  const fake = await startFakeAsterisk();
  const serve = await startServe({ fake, ollamaHost: ollama.host });
  try {
    const calls = [0, 1, 2].map(() => fake.placeCall({ args: [], callerAudio: callerTimeline([30_000]), callerRateHz: 8000, sendSilence: true }));
    await until(() => (serve.log().match(/ greeting /g) ?? []).length >= 3, 15_000, 'three greetings');
    const code = await serve.stop('SIGTERM');
    assert.equal(code, 0, serve.log());
    for (const call of calls) {
      const end = await call.ended;
      assert.equal(end.how, 'continue', serve.log());
      assert.deepEqual([end.variables['VOICEBOT_STATUS'], end.variables['VOICEBOT_ACTION']], ['ERROR', 'handoff']);
    }
    const store = readStore(serve.dbPath);
    assert.equal(store.calls.filter((c) => c.ended_at !== null && c.end_reason === 'terminated').length, 3, JSON.stringify(store.calls));
    assert.deepEqual(fake.bridges(), []);
  } finally {
    await serve.stop();
    await fake.close();
    await ollama.close();
  }
});

test('Asterisk stops (core stop now) with a call up: the call ends and is stored; serve keeps running', async () => {
  const ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 });
  const fake = await startFakeAsterisk();
  const serve = await startServe({ fake, ollamaHost: ollama.host });
  try {
    const call = fake.placeCall({ args: [], callerAudio: callerTimeline([30_000]), callerRateHz: 8000, sendSilence: true });
    await serve.until(/ greeting /, 15_000);
    await fake.coreStopNow();
    const end = await call.ended;
    assert.equal(end.how, 'core-stop');
    await until(() => readStore(serve.dbPath).calls.some((c) => c.ended_at !== null), 8000, 'the call row closed');
    await sleep(500);
    assert.equal(serve.child.exitCode, null, 'serve is still running (it reconnects when Asterisk is back)');
  } finally {
    await serve.stop();
    await fake.close();
    await ollama.close();
  }
});

test('serve killed with a call up, then restarted: the new process hands the orphaned call back and deletes its bridge', async () => {
  const ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 });
  const fake = await startFakeAsterisk();
  const first = await startServe({ fake, ollamaHost: ollama.host });
  try {
    const call = fake.placeCall({ args: [], callerAudio: callerTimeline([30_000]), callerRateHz: 8000, sendSilence: true });
    await first.until(/ greeting /, 15_000);
    await first.stop('SIGKILL');
    await sleep(300);
    assert.equal(fake.bridges().length, 1, 'Asterisk keeps the bridge of a dead app');
    const second = await startServe({ fake, ollamaHost: ollama.host });
    try {
      const end = await call.ended;
      assert.equal(end.how, 'continue', second.log());
      assert.deepEqual([end.variables['VOICEBOT_STATUS'], end.variables['VOICEBOT_ACTION']], ['ERROR', 'handoff']);
      await until(() => fake.bridges().length === 0, 5000, 'the orphaned bridge deleted');
      assert.match(second.log(), /handed back a call no process holds/);
    } finally {
      await second.stop();
    }
  } finally {
    await first.stop();
    await fake.close();
    await ollama.close();
  }
});

test('one serve attached to two Asterisk servers takes calls from both; a health line counts them', async () => {
  const ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 });
  const [one, two] = [await startFakeAsterisk(), await startFakeAsterisk()];
  const serve = await startServe({ fake: one, ollamaHost: ollama.host, extra: { ari_url: `${one.url}, ${two.url}`, serve_health_interval_seconds: 1 } });
  try {
    await serve.until(/events connected[^\n]*\n[\s\S]*events connected/, 10_000);
    const calls = [one, two].map((fake) => fake.placeCall({ args: [], callerAudio: callerTimeline([1500, { speakMs: 900 }, 6000]), callerRateHz: 8000, sendSilence: true }));
    await until(() => (serve.log().match(/bot replied/g) ?? []).length >= 2, 15_000, 'a reply on each Asterisk');
    await serve.until(/health calls=2 asterisksUp=2\/2 /, 5000);
    for (const call of calls) call.hangup();
    await Promise.all(calls.map((call) => call.ended));
    await until(() => one.bridges().length === 0 && two.bridges().length === 0, 5000, 'both bridges deleted');
    assert.equal(readStore(serve.dbPath).calls.length, 2);
  } finally {
    await serve.stop();
    await one.close();
    await two.close();
    await ollama.close();
  }
});

test('max_concurrent_calls = 2 in serve: a third call is not answered, gets BUSY back in the dialplan, and the two go on', async () => {
  const ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 });
  const fake = await startFakeAsterisk();
  const serve = await startServe({ fake, ollamaHost: ollama.host, extra: { max_concurrent_calls: 2 } });
  try {
    const talking = [0, 1].map(() => fake.placeCall({ args: [], callerAudio: callerTimeline([2500, { speakMs: 900 }, 6000]), callerRateHz: 8000, sendSilence: true }));
    await until(() => (serve.log().match(/ greeting /g) ?? []).length >= 2, 15_000, 'two greetings');
    const third = fake.placeCall({ args: [], callerAudio: callerTimeline([3000]), callerRateHz: 8000 });
    const end = await third.ended;
    assert.equal(end.how, 'continue');
    assert.deepEqual([end.variables['VOICEBOT_STATUS'], end.variables['VOICEBOT_ACTION']], ['BUSY', 'handoff']);
    assert.ok(!fake.requests.some((r) => r.path === `/ari/channels/${third.channelId}/answer`), 'the third call was never answered');
    await until(() => (serve.log().match(/bot replied/g) ?? []).length >= 2, 15_000, 'both admitted calls answered');
    for (const call of talking) call.hangup();
    await Promise.all(talking.map((call) => call.ended));
    await until(() => readStore(serve.dbPath).calls.some((c) => c.end_reason === 'busy'), 5000, 'the refused call stored as busy');
  } finally {
    await serve.stop();
    await fake.close();
    await ollama.close();
  }
});

test('one call loses its media channel mid-call: it goes back to the dialplan; the other call in the same serve goes on', async () => {
  const ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 });
  const fake = await startFakeAsterisk();
  const serve = await startServe({ fake, ollamaHost: ollama.host });
  try {
    const broken = fake.placeCall({ args: [], callerAudio: callerTimeline([30_000]), callerRateHz: 8000, sendSilence: true });
    const healthy = fake.placeCall({ args: [], callerAudio: callerTimeline([4000, { speakMs: 900 }, 6000]), callerRateHz: 8000, sendSilence: true });
    await until(() => (serve.log().match(/ media up /g) ?? []).length >= 2, 15_000, 'both calls up');
    const bridge = fake.bridges().find((b) => (b['channels'] as string[]).includes(broken.channelId));
    const mediaId = (bridge?.['channels'] as string[] | undefined)?.find((id) => id !== broken.channelId);
    assert.ok(mediaId !== undefined, 'the broken call has a media channel');
    // Another ARI client (or an admin's `channel request hangup`) ends that media channel.
    const auth = `Basic ${Buffer.from(`${ARI_USER}:${ARI_PASSWORD}`).toString('base64')}`;
    const deleted = await fetch(`${fake.url}/ari/channels/${mediaId}`, { method: 'DELETE', headers: { Authorization: auth } });
    assert.equal(deleted.status, 204);
    const end = await broken.ended;
    assert.equal(end.how, 'continue', serve.log());
    await until(() => /bot replied/.test(serve.log()), 15_000, 'the other call answered');
    healthy.hangup();
    assert.equal((await healthy.ended).how, 'caller-hangup');
    await until(() => fake.bridges().length === 0, 5000, 'both bridges deleted');
    assert.equal(serve.child.exitCode, null, 'serve runs on');
  } finally {
    await serve.stop();
    await fake.close();
    await ollama.close();
  }
});
