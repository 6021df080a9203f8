import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ariCallChannel } from '../../src/ari/call-channel.ts';
import { MediaSocket } from '../../src/ari/media.ts';
import { AriRest } from '../../src/ari/rest.ts';
import { capturingLogger, serveMedia, tone } from './support/media-fixture.ts';
import type { MediaPeer } from './support/media-peer.ts';
import { REPLIES, ScriptedAsterisk } from './support/scripted-asterisk.ts';

const ID = '3ad1e4e8-d29b-48eb-995e-7bdbdc8e5721';
const CALLER = '1796034820.1';
let folder: string;

before(() => {
  folder = mkdtempSync(join(tmpdir(), 'voicebot-ari-channel-'));
  writeSound('hello.sln16', tone(440, 1000, 16000));
  writeSound('narrow.sln', tone(440, 500, 8000));
});
after(() => rmSync(folder, { recursive: true, force: true }));

function writeSound(name: string, samples: Int16Array): void {
  writeFileSync(join(folder, name), Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
}

/** A CallChannel over a scripted Asterisk: REST routes plus a media peer. */
async function channel() {
  const asterisk = await ScriptedAsterisk.start();
  const served = serveMedia(asterisk, ID, { format: 'slin16', frameBytes: 640 });
  const { log, records } = capturingLogger();
  const media = await MediaSocket.connect({ baseUrl: asterisk.baseUrl, connectionId: ID, timeoutMs: 2000, log });
  const peer: MediaPeer = await served.peer();
  const rest = new AriRest({ baseUrl: asterisk.baseUrl, username: 'voicebot', password: 'pw', timeoutMs: 1000 });
  const hangup = new AbortController();
  const port = ariCallChannel({ media, rest, channelId: CALLER, hangup: hangup.signal, log });
  const done = async () => { hangup.abort(); media.close(); peer.stop(); await asterisk.stop(); };
  return { asterisk, media, peer, port, hangup, records, done };
}

test('answer and setVariable go over REST', async () => {
  const { asterisk, port, done } = await channel();
  try {
    asterisk.route(`POST /ari/channels/${CALLER}/answer`, REPLIES.noContent);
    asterisk.route(`POST /ari/channels/${CALLER}/variable`, REPLIES.noContent);
    await port.answer();
    await port.setVariable('VOICEBOT_STATUS', 'OK');
    assert.deepEqual(asterisk.requests.map((request) => `${request.method} ${request.url}`), [
      `POST /ari/channels/${CALLER}/answer`, `POST /ari/channels/${CALLER}/variable?variable=VOICEBOT_STATUS&value=OK`,
    ]);
  } finally {
    await done();
  }
});

test('play of a .sln16 file runs to its end; endpos counts the file\'s samples', async () => {
  const { port, peer, done } = await channel();
  try {
    const result = await port.play(join(folder, 'hello'), { escapeDigits: '#' });
    assert.equal(result.failed, false);
    assert.equal(result.interrupted, false);
    assert.equal(result.digit, undefined);
    assert.equal(result.endposSamples, 16000);
    assert.ok(result.elapsedMs >= 950, `elapsed ${result.elapsedMs}`);
    assert.equal(peer.record.framesReceived, 50);
  } finally {
    await done();
  }
});

test('an 8 kHz .sln is resampled to the media rate; endpos stays at the file\'s rate', async () => {
  const { port, peer, done } = await channel();
  try {
    const result = await port.play(join(folder, 'narrow'), { escapeDigits: '' });
    assert.equal(result.endposSamples, 4000);
    assert.equal(peer.record.framesReceived, 25);
  } finally {
    await done();
  }
});

test('an escape digit stops playback with FLUSH_MEDIA and is returned; other keys are ignored', async () => {
  const { port, peer, done } = await channel();
  try {
    setTimeout(() => peer.sendKey('1'), 100);
    setTimeout(() => peer.sendKey('#'), 400);
    const result = await port.play(join(folder, 'hello'), { escapeDigits: '#*' });
    assert.equal(result.digit, '#');
    assert.equal(result.interrupted, false);
    assert.ok((result.endposSamples ?? 0) > 3 * 1600 && (result.endposSamples ?? 0) < 8 * 1600, `endpos ${result.endposSamples}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(peer.record.texts.some((entry) => entry.text === 'FLUSH_MEDIA'));
  } finally {
    await done();
  }
});

test('our signal interrupts playback', async () => {
  const { port, done } = await channel();
  try {
    const result = await port.play(join(folder, 'hello'), { escapeDigits: '#', signal: AbortSignal.timeout(200) });
    assert.equal(result.interrupted, true);
    assert.equal(result.digit, undefined);
    assert.ok((result.endposSamples ?? 0) < 16000);
  } finally {
    await done();
  }
});

test('a missing file is failed, not an error', async () => {
  const { port, peer, done } = await channel();
  try {
    const result = await port.play(join(folder, 'no-such-file'), { escapeDigits: '#' });
    assert.equal(result.failed, true);
    assert.equal(peer.record.framesReceived, 0);
  } finally {
    await done();
  }
});

test('waitForKey: a key pressed before the wait, then undefined on signal and on hangup', async () => {
  const { port, peer, hangup, done } = await channel();
  try {
    peer.sendKey('7');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await port.waitForKey({}), '7');
    setTimeout(() => peer.sendKey('9'), 50);
    assert.equal(await port.waitForKey({ signal: AbortSignal.timeout(2000) }), '9');
    assert.equal(await port.waitForKey({ signal: AbortSignal.timeout(50) }), undefined);
    setTimeout(() => hangup.abort(new Error('caller hung up')), 50);
    assert.equal(await port.waitForKey({}), undefined);
    assert.equal(await port.waitForKey({}), undefined);
  } finally {
    await done();
  }
});

test('after hangup setVariable is still sent; a 404 then is not an error', async () => {
  const { asterisk, port, hangup, records, done } = await channel();
  try {
    hangup.abort(new Error('caller hung up'));
    asterisk.route(`POST /ari/channels/${CALLER}/variable`, REPLIES.channelNotFound);
    await port.setVariable('VOICEBOT_STATUS', 'CALLER_HANGUP');
    assert.equal(asterisk.requests.at(-1)?.url, `/ari/channels/${CALLER}/variable?variable=VOICEBOT_STATUS&value=CALLER_HANGUP`);
    asterisk.route(`POST /ari/channels/${CALLER}/variable`, REPLIES.internalError);
    await assert.rejects(port.setVariable('VOICEBOT_STATUS', 'X'), { code: 'ARI_SERVER' });
    await port.verbose('a line for the console');
    assert.ok(records.some((record) => record.message === 'a line for the console'));
    await assert.rejects(port.answer(), /caller hung up/);
  } finally {
    await done();
  }
});
