import assert from 'node:assert/strict';
import { test } from 'node:test';
import { muLawEncode } from '../../src/audio/g711.ts';
import { MediaSocket } from '../../src/ari/media.ts';
import { parseControl, parseMediaStart } from '../../src/ari/media-protocol.ts';
import { capturingLogger, serveMedia, tone } from './support/media-fixture.ts';
import type { MediaPeerOptions } from './support/media-peer.ts';
import { ScriptedAsterisk } from './support/scripted-asterisk.ts';

const ID = 'a4faa715-d77f-49c7-aad1-b2033d442e55';
const SLIN16: MediaPeerOptions = { format: 'slin16', frameBytes: 640 };

/** A connected MediaSocket and its peer; `done()` closes both and the server. */
async function connected(peerOptions: MediaPeerOptions = SLIN16, leadMs?: number) {
  const asterisk = await ScriptedAsterisk.start();
  const served = serveMedia(asterisk, ID, peerOptions);
  const { log, records } = capturingLogger();
  const media = await MediaSocket.connect({ baseUrl: asterisk.baseUrl, connectionId: ID, timeoutMs: 2000, log, leadMs });
  const peer = await served.peer();
  const done = async () => { media.close(); peer.stop(); await asterisk.stop(); };
  return { asterisk, media, peer, records, done };
}

/** Lets messages in flight reach the peer. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const texts = (peer: { record: { texts: { text: string }[] } }) => peer.record.texts.map((entry) => entry.text);

test('MEDIA_START lines from the transcripts parse (slin16 640, ulaw 160)', () => {
  const slin16 = parseMediaStart('MEDIA_START connection_id:3ad1e4e8-d29b-48eb-995e-7bdbdc8e5721 channel:WebSocket/INCOMING/0x7ff80c003060 channel_id:1796034820.2 format:slin16 optimal_frame_size:640 ptime:20');
  assert.deepEqual(slin16, {
    connectionId: '3ad1e4e8-d29b-48eb-995e-7bdbdc8e5721', channel: 'WebSocket/INCOMING/0x7ff80c003060', channelId: '1796034820.2',
    format: 'slin16', optimalFrameSizeBytes: 640, ptimeMs: 20, sampleRateHz: 16000,
  });
  const ulaw = parseMediaStart('MEDIA_START connection_id:0d55115c-e008-4be1-928a-a37a920f74f3 channel:WebSocket/INCOMING/0x7f6128002c60 channel_id:1796034853.2 format:ulaw optimal_frame_size:160 ptime:20');
  assert.equal(ulaw.format, 'ulaw');
  assert.equal(ulaw.optimalFrameSizeBytes, 160);
  assert.equal(ulaw.sampleRateHz, 8000);
  assert.throws(() => parseMediaStart('MEDIA_START connection_id:x channel:y channel_id:z format:opus optimal_frame_size:80 ptime:20'), { code: 'ARI_MEDIA_PROTOCOL' });
  const error = parseControl('ERROR channel_id:1796034820.2 error_text:SET_MEDIA_DIRECTION only supports JSON format.\n');
  assert.equal(error.fields['error_text'], 'SET_MEDIA_DIRECTION only supports JSON format.');
  assert.equal(parseControl('MEDIA_MARK_PROCESSED mark-1-after-440').argument, 'mark-1-after-440');
  assert.equal(parseControl('DTMF_END digit:* channel_id:1796034820.2').fields['digit'], '*');
});

test('connect: MEDIA_START read, caller frames become AudioFrames, the socket end ends them', async () => {
  const { media, peer, done } = await connected();
  try {
    assert.equal(media.format, 'slin16');
    assert.equal(media.start.channelId, '1796035036.2');
    const bytes = Buffer.alloc(640);
    for (let i = 0; i < 320; i += 1) bytes.writeInt16LE(i - 160, i * 2);
    const sentAtMs = performance.now();
    peer.ws.send(bytes);
    peer.ws.send(bytes.subarray(0, 496));
    setTimeout(() => peer.ws.close(1000, ''), 50);
    const frames = [];
    for await (const frame of media.frames) frames.push(frame);
    assert.equal(frames.length, 2);
    assert.equal(frames[0]?.sampleRateHz, 16000);
    assert.equal(frames[0]?.samples.length, 320);
    assert.equal(frames[0]?.samples[0], -160);
    assert.equal(frames[0]?.samples[319], 159);
    assert.equal(frames[1]?.samples.length, 248);
    assert.ok((frames[0]?.capturedAtMs ?? 0) >= sentAtMs);
    const closed = await media.closed;
    assert.equal(closed.code, 1000);
    assert.ok(media.closedSignal.aborted);
  } finally {
    await done();
  }
});

test('ulaw caller frames are decoded to 8 kHz PCM', async () => {
  const { media, peer, done } = await connected({ format: 'ulaw', frameBytes: 160 });
  try {
    assert.equal(media.sampleRateHz, 8000);
    peer.ws.send(Buffer.from(Array.from({ length: 160 }, (_, i) => muLawEncode(i % 2 === 0 ? 1000 : -1000))));
    const iterator = media.frames[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.ok(first.done !== true);
    assert.equal(first.value.sampleRateHz, 8000);
    assert.equal(first.value.samples.length, 160);
    assert.ok(Math.abs((first.value.samples[0] ?? 0) - 1000) < 40);
    assert.ok(Math.abs((first.value.samples[1] ?? 0) + 1000) < 40);
  } finally {
    await done();
  }
});

test('an unknown connection id is ARI_NOT_FOUND; no MEDIA_START is a timeout', async () => {
  const asterisk = await ScriptedAsterisk.start();
  serveMedia(asterisk, ID, SLIN16);
  const { log } = capturingLogger();
  try {
    await assert.rejects(MediaSocket.connect({ baseUrl: asterisk.baseUrl, connectionId: 'nope', timeoutMs: 1000, log }), { code: 'ARI_NOT_FOUND' });
    const { acceptWebSocket } = await import('../../src/net/websocket.ts');
    asterisk.onUpgrade = (req, socket, head) => { acceptWebSocket(req, socket, head); };
    await assert.rejects(MediaSocket.connect({ baseUrl: asterisk.baseUrl, connectionId: ID, timeoutMs: 200, log }), { code: 'ARI_MEDIA_START_TIMEOUT' });
  } finally {
    await asterisk.stop();
  }
});

test('DTMF_END keys: a key pressed while nobody waits is kept for the next wait', async () => {
  const { media, peer, done } = await connected();
  try {
    peer.sendKey('4');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await media.nextKey({ timeoutMs: 500 }), '4');
    setTimeout(() => peer.sendKey('*'), 30);
    assert.equal(await media.nextKey({ timeoutMs: 1000 }), '*');
    assert.equal(await media.nextKey({ timeoutMs: 50 }), undefined);
    assert.equal(await media.nextKey({ signal: AbortSignal.abort() }), undefined);
  } finally {
    await done();
  }
});

test('play paces whole frames with a small lead and resolves at MEDIA_MARK_PROCESSED', async () => {
  const { media, peer, done } = await connected(SLIN16, 300);
  try {
    const samples = tone(440, 1010, 16000); // 50.5 frames: the last one padded
    const startedAtMs = performance.now();
    const result = await media.play(samples);
    const elapsedMs = performance.now() - startedAtMs;
    assert.deepEqual(result, { playedMs: 1010, interrupted: false, closed: false });
    assert.equal(peer.record.framesReceived, 51);
    assert.equal(peer.record.oddSizedMessages, 0);
    assert.ok(peer.record.maxQueueLength <= 17 && peer.record.maxQueueLength >= 10, `max queue ${peer.record.maxQueueLength}`);
    const mark = peer.record.marksReported[0];
    assert.ok(mark !== undefined);
    assert.match(texts(peer).at(-1) ?? '', new RegExp(`^MARK_MEDIA ${mark.id}$`));
    assert.ok(performance.now() - mark.atMs < 100 + (performance.now() - startedAtMs - elapsedMs));
    assert.ok(elapsedMs >= 950 && elapsedMs < 1600, `elapsed ${elapsedMs}`);
  } finally {
    await done();
  }
});

test('abort sends FLUSH_MEDIA at once and estimates what was heard', async () => {
  const { media, peer, done } = await connected(SLIN16, 300);
  try {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 500);
    const result = await media.play(tone(440, 3000, 16000), { signal: stop.signal });
    assert.equal(result.interrupted, true);
    await settle();
    const flush = peer.record.texts.find((entry) => entry.text === 'FLUSH_MEDIA');
    assert.ok(flush !== undefined, JSON.stringify(texts(peer)));
    assert.ok(Math.abs(result.playedMs - flush.playedFrames * 20) <= 80, `estimated ${result.playedMs} ms, peer played ${flush.playedFrames * 20} ms`);
    assert.equal(peer.queueLength, 0);
    assert.ok(!texts(peer).some((text) => text.startsWith('MARK_MEDIA')));
  } finally {
    await done();
  }
});

test('a new playback flushes the old one', async () => {
  const { media, peer, done } = await connected(SLIN16, 300);
  try {
    const first = media.play(tone(440, 2000, 16000));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = media.play(tone(880, 200, 16000));
    assert.equal((await first).interrupted, true);
    assert.deepEqual(await second, { playedMs: 200, interrupted: false, closed: false });
    await settle();
    assert.equal(texts(peer).filter((text) => text === 'FLUSH_MEDIA').length, 1);
  } finally {
    await done();
  }
});

test('XOFF stops sending until XON; nothing is dropped', async () => {
  // Playout held for 600 ms: our pacing model thinks the queue drains, Asterisk's does not.
  const { media, peer, done } = await connected({ ...SLIN16, xoffLevel: 20, xonLevel: 10, maxQueue: 25, pausedForMs: 600 }, 300);
  try {
    const result = await media.play(tone(440, 1500, 16000));
    assert.equal(result.interrupted, false);
    assert.ok(peer.record.xoffSent >= 1);
    // Frames already on their way when XOFF left count here (a loaded box delays the XOFF by a few
    // frames); they fit between the XOFF level (20) and the drop level (25), so none may be dropped.
    assert.ok(peer.record.framesDuringXoff <= 5, `${peer.record.framesDuringXoff} frames after XOFF`);
    assert.equal(peer.record.framesDropped, 0);
    assert.equal(peer.record.framesReceived, 75);
  } finally {
    await done();
  }
});

test('no MEDIA_MARK_PROCESSED: play resolves after the audio plus 2 s', async () => {
  const { media, done } = await connected({ ...SLIN16, ignoreMarks: true }, 300);
  try {
    const startedAtMs = performance.now();
    const result = await media.play(tone(440, 100, 16000));
    const elapsedMs = performance.now() - startedAtMs;
    assert.equal(result.playedMs, 100);
    assert.ok(elapsedMs >= 2000 && elapsedMs < 2600, `elapsed ${elapsedMs}`);
  } finally {
    await done();
  }
});

test('the socket closing (hangup) ends a playback and key waits', async () => {
  const { media, peer, done } = await connected(SLIN16, 300);
  try {
    setTimeout(() => peer.ws.close(1000, ''), 300);
    const key = media.nextKey();
    const result = await media.play(tone(440, 3000, 16000));
    assert.equal(result.closed, true);
    assert.equal(result.interrupted, false);
    assert.ok(result.playedMs > 100 && result.playedMs < 500, `played ${result.playedMs}`);
    assert.equal(await key, undefined);
  } finally {
    await done();
  }
});

test('close() sends close 1000', async () => {
  const { media, peer, done } = await connected();
  try {
    const closing = new Promise((resolve) => peer.ws.once('close', resolve));
    media.close();
    assert.deepEqual(await closing, { code: 1000, reason: '', clean: true });
    assert.equal((await media.closed).code, 1000);
  } finally {
    await done();
  }
});
