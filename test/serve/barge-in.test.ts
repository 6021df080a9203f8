import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeOllama } from '../../src/simulate/fake-ollama.ts';
import { callerTimeline } from '../faults/support/call.ts';
import { readStore, startFakeAsterisk, startServe } from './support/serve.ts';

/**
 * Barge-in over ARI: the caller talks over a long reply; serve sends FLUSH_MEDIA, and from that
 * moment nothing Asterisk still had queued reaches the caller (the fake plays its queue out one
 * frame per 20 ms, exactly as chan_websocket does).
 */
const LONG_REPLY = 'We open at nine in the morning and we close at six in the evening, every day of the week except on public holidays, when we open at ten.';

test('barge-in over ARI: FLUSH_MEDIA takes back the queued reply; the caller hears none of it after the flush', async () => {
  const ollama = await startFakeOllama({ script: () => ({ content: LONG_REPLY }), tokenDelayMs: 0 });
  const fake = await startFakeAsterisk();
  const serve = await startServe({ fake, ollamaHost: ollama.host });
  try {
    // The question ends at 3.4 s; the reply starts ~0.5 s later and lasts several seconds; the caller cuts in at 5.2 s.
    const call = fake.placeCall({ args: [], callerAudio: callerTimeline([2500, { speakMs: 900 }, 1800, { speakMs: 1200 }, 9000]), callerRateHz: 8000, sendSilence: true });
    const timer = setTimeout(() => call.hangup(), 14_000);
    await call.ended;
    clearTimeout(timer);
    const log = serve.log();
    const flush = call.events.find((e) => e.what === 'media-command' && e.detail?.startsWith('FLUSH_MEDIA') === true);
    assert.ok(flush !== undefined, `serve sent FLUSH_MEDIA\n${log}`);
    const queued = Number(/queued=(\d+)/.exec(flush.detail ?? '')?.[1]);
    assert.ok(queued > 0, `audio was queued when the flush came (${queued} frames), so the flush took something back`);
    const media = call.heard().frames.filter((f) => f.fromChannelId !== call.channelId);
    const before = media.filter((f) => f.atMs < flush.atMs);
    assert.ok(before.length > 25, `the caller heard the start of the reply (${before.length} frames)`);
    // One frame may already be on its way out when the flush lands (the fake's 20 ms tick).
    const after = media.filter((f) => f.atMs > flush.atMs + 25 && f.atMs < flush.atMs + 1000);
    assert.deepEqual(after.map((f) => Math.round(f.atMs - flush.atMs)), [], 'no reply audio reached the caller after the flush');
    const store = readStore(serve.dbPath);
    assert.ok(store.turns.some((t) => t.role === 'bot' && t.interrupted === 1), `the interrupted reply is stored as interrupted\n${JSON.stringify(store.turns)}`);
  } finally {
    await serve.stop();
    await fake.close();
    await ollama.close();
  }
});
