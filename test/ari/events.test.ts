import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { test } from 'node:test';
import { AriEventStream } from '../../src/ari/events.ts';
import type { AriError } from '../../src/ari/errors.ts';
import type { AriEvent } from '../../src/ari/types.ts';
import { acceptWebSocket, refuseUpgrade, type CloseInfo, type WebSocketConnection } from '../../src/net/websocket.ts';
import { capturingLogger } from './support/media-fixture.ts';
import { ScriptedAsterisk } from './support/scripted-asterisk.ts';

const PASSWORD = 'S3cr3t-ari-pw';
const STASIS_START = '{"type":"StasisStart","timestamp":"2026-11-30T10:33:21.170+0000","args":["receptionist"],"channel":{"id":"1796034801.1","name":"Local/lifecycle@voicebot-00000000;2","state":"Ring","protocol_id":"","caller":{"name":"","number":""},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"voicebot","exten":"lifecycle","priority":3,"app_name":"Stasis","app_data":"voicebot,receptionist"},"creationtime":"2026-11-30T10:33:21.167+0000","language":"en"},"asterisk_id":"02:fc:00:00:00:01","application":"voicebot"}';
const DTMF = '{"type":"ChannelDtmfReceived","timestamp":"2026-11-30T10:33:22.470+0000","digit":"1","duration_ms":100,"channel":{"id":"1796034801.1","name":"Local/lifecycle@voicebot-00000000;2","state":"Up"},"asterisk_id":"02:fc:00:00:00:01","application":"voicebot"}';

type Seen = { kind: 'connected'; reconnect: boolean } | { kind: 'event'; event: AriEvent } | { kind: 'disconnected'; info: CloseInfo } | { kind: 'error'; error: AriError };

/** An events stream against the scripted Asterisk, recording everything it reports. */
function stream(asterisk: ScriptedAsterisk, overrides: { password?: string; authRetryMs?: number } = {}) {
  const seen: Seen[] = [];
  const waiters: (() => void)[] = [];
  const push = (item: Seen) => { seen.push(item); for (const waiter of waiters.splice(0)) waiter(); };
  const { log, records } = capturingLogger();
  const events = new AriEventStream({
    baseUrl: asterisk.baseUrl, username: 'voicebot', password: overrides.password ?? PASSWORD, app: 'voicebot', log,
    initialRetryMs: 40, maxRetryMs: 160, authRetryMs: overrides.authRetryMs ?? 100, connectTimeoutMs: 1000,
    onEvent: (event) => push({ kind: 'event', event }),
    onConnected: (info) => push({ kind: 'connected', reconnect: info.reconnect }),
    onDisconnected: (info) => push({ kind: 'disconnected', info }),
    onError: (error) => push({ kind: 'error', error }),
  });
  /** Resolves once `count` items of `kind` were seen (deadline 5 s). */
  const until = async (kind: Seen['kind'], count = 1) => {
    const deadline = performance.now() + 5000;
    while (seen.filter((item) => item.kind === kind).length < count) {
      assert.ok(performance.now() < deadline, `waited 5 s for ${count} × ${kind}: ${JSON.stringify(seen.map((item) => item.kind))}`);
      await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 50); });
    }
  };
  return { events, seen, records, until };
}

/** Accepts /ari/events with the right password like Asterisk; 401 with its body otherwise. */
function acceptEvents(asterisk: ScriptedAsterisk, onOpen: (ws: WebSocketConnection, req: IncomingMessage, socket: Duplex) => void, password = PASSWORD): IncomingMessage[] {
  const upgrades: IncomingMessage[] = [];
  asterisk.onUpgrade = (req, socket, head) => {
    upgrades.push(req);
    if (req.headers.authorization !== `Basic ${Buffer.from(`voicebot:${password}`).toString('base64')}`) {
      refuseUpgrade(socket, 401, 'Unauthorized', { headers: [['WWW-Authenticate', 'Basic realm="Asterisk REST Interface"'], ['Content-type', 'application/json']], body: '{"message":"Authentication required"}' });
      return;
    }
    onOpen(acceptWebSocket(req, socket, head), req, socket);
  };
  return upgrades;
}

test('connects to /ari/events with Basic auth and delivers each JSON event; skips a frame that is not JSON', async () => {
  const asterisk = await ScriptedAsterisk.start();
  const upgrades = acceptEvents(asterisk, (ws) => {
    // The first event goes out with the 101 (same TCP write): it must not be lost.
    ws.send(STASIS_START);
    ws.send('not json');
    ws.send(DTMF);
  });
  const { events, seen, until, records } = stream(asterisk);
  try {
    events.start();
    await until('event', 2);
    assert.equal(upgrades[0]?.url, '/ari/events?app=voicebot&subscribeAll=false');
    assert.deepEqual(seen.map((item) => item.kind), ['connected', 'event', 'event']);
    const [, first, second] = seen;
    assert.ok(first?.kind === 'event' && second?.kind === 'event');
    assert.equal(first.event.type, 'StasisStart');
    assert.deepEqual(first.event['args'], ['receptionist']);
    assert.equal(second.event['digit'], '1');
    assert.ok(records.some((record) => record.message.includes('not JSON')));
    assert.ok(events.isConnected);
  } finally {
    await events.close();
    await asterisk.stop();
  }
});

test('reconnects after a clean close, a TCP drop and a server restart, reporting each', async () => {
  const asterisk = await ScriptedAsterisk.start();
  const sockets: WebSocketConnection[] = [];
  const raw: Duplex[] = [];
  acceptEvents(asterisk, (ws, _req, socket) => { sockets.push(ws); raw.push(socket); });
  const { events, seen, until } = stream(asterisk);
  try {
    events.start();
    await until('connected', 1);
    sockets[0]?.close(1000, '');
    await until('connected', 2);
    raw[1]?.destroy();
    await until('connected', 3);
    await asterisk.restart();
    await until('connected', 4);
    const disconnects = seen.filter((item) => item.kind === 'disconnected').map((item) => item.kind === 'disconnected' ? item.info.code : 0);
    assert.deepEqual(disconnects, [1000, 1006, 1006]);
    assert.deepEqual(seen.filter((item) => item.kind === 'connected').map((item) => item.kind === 'connected' && item.reconnect), [false, true, true, true]);
  } finally {
    await events.close();
    await asterisk.stop();
  }
});

test('while Asterisk is down the stream keeps retrying and reports the failure once', async () => {
  const asterisk = await ScriptedAsterisk.start();
  acceptEvents(asterisk, () => {});
  const { events, seen, until } = stream(asterisk);
  try {
    events.start();
    await until('connected');
    await asterisk.stop();
    await until('error');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(seen.filter((item) => item.kind === 'error').length, 1);
    const error = seen.find((item) => item.kind === 'error');
    assert.equal(error?.kind === 'error' && error.error.code, 'ARI_UNREACHABLE');
    await asterisk.restart();
    await until('connected', 2);
  } finally {
    await events.close();
    await asterisk.stop();
  }
});

test('a 401 is reported once as ARI_AUTH, retried, and never shows the password', async () => {
  const asterisk = await ScriptedAsterisk.start();
  const upgrades = acceptEvents(asterisk, () => {});
  const { events, seen, until, records } = stream(asterisk, { password: 'wrong-S3cr3t' });
  try {
    events.start();
    await until('error');
    while (upgrades.length < 4) await new Promise((resolve) => setTimeout(resolve, 50));
    const errors = seen.filter((item) => item.kind === 'error');
    assert.equal(errors.length, 1);
    const error = errors[0]?.kind === 'error' ? errors[0].error : undefined;
    assert.equal(error?.code, 'ARI_AUTH');
    assert.equal(error?.status, 401);
    assert.match(error?.message ?? '', /ari\.conf/);
    assert.ok(!JSON.stringify(records).includes('wrong-S3cr3t'));
    assert.ok(!(error?.message ?? '').includes('wrong-S3cr3t'));
  } finally {
    await events.close();
    await asterisk.stop();
  }
});

test('close() stops reconnecting and closes with 1000', async () => {
  const asterisk = await ScriptedAsterisk.start();
  const closes: CloseInfo[] = [];
  const upgrades = acceptEvents(asterisk, (ws) => ws.on('close', (info) => closes.push(info)));
  const { events, until } = stream(asterisk);
  try {
    events.start();
    await until('connected');
    await events.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(closes[0]?.code, 1000);
    assert.equal(upgrades.length, 1);
  } finally {
    await asterisk.stop();
  }
});
