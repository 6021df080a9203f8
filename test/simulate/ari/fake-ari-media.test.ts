import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeAri, type FakeAriCall, startFakeAri } from '../../../src/simulate/ari/fake-ari.ts';
import { basicAuth, rawRequest, RecordingSocket, sleep } from './ari-test-client.ts';

const AUTH: [string, string][] = [['Authorization', basicAuth('voicebot', 'secret')]];

interface Bridged {
  events: RecordingSocket;
  media: RecordingSocket;
  call: FakeAriCall;
  mediaId: string;
  bridgeId: string;
}

async function post(fake: FakeAri, target: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const reply = await rawRequest(fake.port, 'POST', target, { headers: AUTH });
  return { status: reply.status, json: reply.body === '' ? {} : JSON.parse(reply.body) as Record<string, unknown> };
}

/** The usual app start: answer, bridge, external media, connect /media, add it to the bridge. */
async function bridgedCall(fake: FakeAri, format: string, callerAudio: Int16Array, callerRateHz: 8000 | 16000 = 8000): Promise<Bridged> {
  const events = await RecordingSocket.open(`ws://127.0.0.1:${fake.port}/ari/events?app=voicebot&subscribeAll=false`, { Authorization: basicAuth('voicebot', 'secret') });
  const call = fake.placeCall({ args: ['support'], callerAudio, callerRateHz });
  await events.untilEvent('StasisStart');
  assert.equal((await post(fake, `/ari/channels/${call.channelId}/answer`)).status, 204);
  const bridge = await post(fake, '/ari/bridges?type=mixing&name=test');
  const bridgeId = bridge.json['id'] as string;
  assert.equal((await post(fake, `/ari/bridges/${bridgeId}/addChannel?channel=${call.channelId}`)).status, 204);
  const created = await post(fake, `/ari/channels/externalMedia?app=voicebot&transport=websocket&encapsulation=none&format=${format}&connection_type=server`);
  assert.equal(created.status, 200);
  const mediaId = created.json['id'] as string;
  const connectionId = (created.json['channelvars'] as Record<string, string>)['MEDIA_WEBSOCKET_CONNECTION_ID'];
  const media = await RecordingSocket.open(`ws://127.0.0.1:${fake.port}/media/${connectionId}`);
  await media.untilText(/^MEDIA_START /);
  await events.until(() => events.events.filter((e) => e['type'] === 'StasisStart').length === 2);
  assert.equal((await post(fake, `/ari/bridges/${bridgeId}/addChannel?channel=${mediaId}`)).status, 204);
  return { events, media, call, mediaId, bridgeId };
}

/** Ends a test's call and waits until the fake holds no channel or bridge, so tests do not see each other's events. */
async function cleanUp(fake: FakeAri, parts: { call: FakeAriCall; events: RecordingSocket; media: RecordingSocket }): Promise<void> {
  parts.call.hangup();
  parts.media.ws.close();
  await parts.events.until(() => fake.channels().length === 0, 3000, 'all channels gone');
  for (const bridge of fake.bridges()) await rawRequest(fake.port, 'DELETE', `/ari/bridges/${bridge['id'] as string}`, { headers: AUTH });
  parts.events.ws.close();
  await parts.events.until(() => parts.events.closeInfo !== undefined, 3000, 'events socket closed');
}

function dc(value: number, samples: number): Int16Array {
  return new Int16Array(samples).fill(value);
}

function frames(value: number, count: number, frameSamples: number): Buffer {
  return Buffer.from(dc(value, frameSamples * count).buffer);
}

describe('fake ARI media (chan_websocket server mode)', () => {
  let fake: FakeAri;
  before(async () => { fake = await startFakeAri({ username: 'voicebot', password: 'secret', mediaConnectTimeoutMs: 300 }); });
  after(async () => { await fake.close(); });

  it('sends caller audio as exact optimal-size frames every 20 ms (slin16, ulaw)', async () => {
    for (const [format, size] of [['slin16', 640], ['ulaw', 160]] as const) {
      const { media, events, call } = await bridgedCall(fake, format, dc(500, 8000));
      assert.match(media.texts[0]?.text ?? '', new RegExp(`format:${format} optimal_frame_size:${size} ptime:20$`));
      await media.until(() => media.binaries.length >= 50, 3000, '50 caller frames');
      const sizes = new Set(media.binaries.map((b) => b.data.length));
      assert.deepEqual([...sizes], [size]);
      const gaps = media.binaries.slice(1, 50).map((b, i) => b.atMs - (media.binaries[i] as { atMs: number }).atMs).sort((a, b) => a - b);
      const median = gaps[Math.floor(gaps.length / 2)] as number;
      assert.ok(median > 15 && median < 25, `median gap ${median} ms`);
      await sleep(200);
      assert.equal(media.binaries.length, 50, 'a Local caller sends nothing after its audio');
        await cleanUp(fake, { call, events, media });
    }
  });

  it('flow control: XOFF at 900 queued frames, 1000 at most, XON below 800 after FLUSH_MEDIA', async () => {
    const { media, events, call } = await bridgedCall(fake, 'slin', new Int16Array(0));
    for (let i = 0; i < 1100; i += 1) media.ws.send(frames(1000, 1, 160));
    media.ws.send('GET_STATUS');
    const status = await media.untilText(/^STATUS /);
    assert.match(status, /queue_length:(99\d|1000) xon_level:800 xoff_level:900 queue_full:true bulk_media:false media_paused:false$/);
    const xoffIndex = media.texts.findIndex((t) => t.text === 'MEDIA_XOFF');
    assert.ok(xoffIndex > 0 && xoffIndex < media.texts.findIndex((t) => t.text.startsWith('STATUS')));
    const flushAt = performance.now();
    media.ws.send('FLUSH_MEDIA');
    await media.untilText(/^MEDIA_XON$/);
    media.ws.send(frames(-2000, 5, 160));
    await sleep(300);
    const heard = call.heard();
    const loudAfterFlush = heard.frames.filter((f) => f.atMs > call.nowMs() - (performance.now() - flushAt) + 1 && heard.samples[f.startSample] === 1000);
    assert.deepEqual(loudAfterFlush, [], 'no frame queued before FLUSH_MEDIA is heard after it');
    assert.equal(heard.frames.filter((f) => heard.samples[f.startSample] === -2000).length, 5);
    assert.ok(heard.frames.filter((f) => heard.samples[f.startSample] === 1000).length < 20);
    await cleanUp(fake, { call, events, media });
  });

  it('reports a mark when playout reaches it, and QUEUE_DRAINED once', async () => {
    const { media, events, call } = await bridgedCall(fake, 'slin16', new Int16Array(0), 16000);
    const sentAt = performance.now();
    media.ws.send(frames(700, 25, 320));
    media.ws.send('MARK_MEDIA m-1');
    media.ws.send('REPORT_QUEUE_DRAINED');
    await media.untilText(/^MEDIA_MARK_PROCESSED m-1$/, 2000);
    const markAt = (media.texts.find((t) => t.text === 'MEDIA_MARK_PROCESSED m-1') as { atMs: number }).atMs;
    assert.ok(markAt - sentAt >= 480, `mark after ${markAt - sentAt} ms`);
    assert.equal(call.heard().frames.length, 25);
    await media.untilText(/^QUEUE_DRAINED$/);
    await sleep(100);
    assert.equal(media.texts.filter((t) => t.text === 'QUEUE_DRAINED').length, 1);
    media.ws.send('MARK_MEDIA');
    await media.untilText(/^MEDIA_MARK_PROCESSED$/);
    await cleanUp(fake, { call, events, media });
  });

  it('DTMF reaches both the events socket and the media socket', async () => {
    const { media, events, call, mediaId } = await bridgedCall(fake, 'slin16', new Int16Array(0));
    call.sendDtmf('5');
    const dtmf = await events.untilEvent('ChannelDtmfReceived');
    assert.equal(dtmf['digit'], '5');
    assert.equal(dtmf['duration_ms'], 100);
    assert.equal((dtmf['channel'] as { id: string }).id, call.channelId);
    assert.equal(await media.untilText(/^DTMF_END/), `DTMF_END digit:5 channel_id:${mediaId}`);
    await cleanUp(fake, { call, events, media });
  });

  it('caller hangup leaves the media channel up until the app deletes it', async () => {
    const { media, events, call, mediaId, bridgeId } = await bridgedCall(fake, 'slin16', new Int16Array(0));
    call.hangup();
    const end = await call.ended;
    assert.equal(end.how, 'caller-hangup');
    await events.untilEvent('StasisEnd');
    const types = events.events.map((e) => e['type']);
    assert.deepEqual(types.slice(-4), ['ChannelHangupRequest', 'ChannelVarset', 'ChannelLeftBridge', 'StasisEnd']);
    await sleep(200);
    assert.equal(media.closeInfo, undefined);
    assert.deepEqual(fake.channels().map((c) => c['id']), [mediaId]);
    media.ws.send(frames(1, 5, 320));
    assert.equal((await rawRequest(fake.port, 'DELETE', `/ari/channels/${mediaId}`, { headers: AUTH })).status, 204);
    await media.until(() => media.closeInfo !== undefined, 2000, 'media close');
    assert.equal((media.closeInfo as { code: number } | undefined)?.code, 1000);
    const destroyed = await events.untilEvent('ChannelDestroyed');
    assert.deepEqual([destroyed['cause'], destroyed['cause_txt']], [16, 'Normal Clearing']);
    assert.equal(fake.bridges().length, 1, 'an empty bridge stays until deleted');
    assert.equal((await rawRequest(fake.port, 'DELETE', `/ari/bridges/${bridgeId}`, { headers: AUTH })).status, 204);
    assert.deepEqual([fake.channels(), fake.bridges()], [[], []]);
    events.ws.close();
  });

  it('an external media channel never connected is destroyed with cause 19', async () => {
    const events = await RecordingSocket.open(`ws://127.0.0.1:${fake.port}/ari/events?app=voicebot`, { Authorization: basicAuth('voicebot', 'secret') });
    const created = await post(fake, '/ari/channels/externalMedia?app=voicebot&transport=websocket&encapsulation=none&format=slin16&connection_type=server');
    const destroyed = await events.untilEvent('ChannelDestroyed', 2000);
    assert.deepEqual([destroyed['cause'], destroyed['cause_txt']], [19, 'User alerting, no answer']);
    assert.deepEqual(events.events.map((e) => e['type']), ['Dial', 'ChannelDestroyed']);
    assert.equal((await rawRequest(fake.port, 'GET', `/ari/channels/${created.json['id'] as string}`, { headers: AUTH })).status, 404);
    events.ws.close();
  });

  it('Stasis() fails at once when no app is connected', async () => {
    await sleep(50);
    const call = fake.placeCall({ args: ['x'], app: 'nobody-listens' });
    const end = await call.ended;
    assert.equal(end.how, 'stasis-failed');
    assert.deepEqual(fake.channels(), []);
  });
});
