import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AriError, AriRest } from '../../src/ari/rest.ts';
import { capturingLogger } from './support/media-fixture.ts';
import { REPLIES, ScriptedAsterisk } from './support/scripted-asterisk.ts';

const PASSWORD = 'S3cr3t-ari-pw';
const AUTH = `Basic ${Buffer.from(`voicebot:${PASSWORD}`).toString('base64')}`;
let asterisk: ScriptedAsterisk;
const { log, records } = capturingLogger();
let rest: AriRest;

before(async () => {
  asterisk = await ScriptedAsterisk.start();
  rest = new AriRest({ baseUrl: asterisk.baseUrl, username: 'voicebot', password: PASSWORD, timeoutMs: 1000, log });
});
after(async () => { await asterisk.stop(); });

function lastRequest() {
  const request = asterisk.requests.at(-1);
  assert.ok(request !== undefined);
  return request;
}

test('helpers send the method, path and query Asterisk expects, with Basic auth', async () => {
  asterisk.route('POST /ari/channels/1796034801.1/answer', REPLIES.noContent);
  await rest.answer('1796034801.1');
  assert.deepEqual(lastRequest(), { method: 'POST', url: '/ari/channels/1796034801.1/answer', authorization: AUTH });

  asterisk.route('POST /ari/channels/1796034801.1/variable', REPLIES.noContent);
  await rest.setVariable('1796034801.1', 'BOT_INTENT', 'billing question');
  assert.equal(lastRequest().url, '/ari/channels/1796034801.1/variable?variable=BOT_INTENT&value=billing+question');

  asterisk.route('POST /ari/channels/1796034801.1/continue', REPLIES.noContent);
  await rest.continueInDialplan('1796034801.1', { context: 'voicebot', extension: 'resume', priority: 1 });
  assert.equal(lastRequest().url, '/ari/channels/1796034801.1/continue?context=voicebot&extension=resume&priority=1');
  await rest.continueInDialplan('1796034801.1');
  assert.equal(lastRequest().url, '/ari/channels/1796034801.1/continue');

  asterisk.route('DELETE /ari/channels/1796034801.1', REPLIES.noContent);
  await rest.hangup('1796034801.1');
  assert.equal(lastRequest().url, '/ari/channels/1796034801.1?reason=normal');

  const bridgeBody = '{"id":"5190974f-96db-4994-9fee-2dcf21dcc062","technology":"simple_bridge","bridge_type":"mixing","bridge_class":"stasis","creator":"Stasis","name":"voicebot-bridge","channels":[],"creationtime":"2026-11-30T10:33:40.435+0000","video_mode":"talker"}';
  asterisk.route('POST /ari/bridges', { status: 200, reason: 'OK', body: bridgeBody });
  const bridge = await rest.createBridge({ type: 'mixing', name: 'voicebot-bridge' });
  assert.equal(lastRequest().url, '/ari/bridges?type=mixing&name=voicebot-bridge');
  assert.equal(bridge.id, '5190974f-96db-4994-9fee-2dcf21dcc062');

  asterisk.route(`POST /ari/bridges/${bridge.id}/addChannel`, REPLIES.noContent);
  await rest.addChannel(bridge.id, ['1796034820.1', '1796034820.2']);
  assert.equal(lastRequest().url, `/ari/bridges/${bridge.id}/addChannel?channel=1796034820.1%2C1796034820.2`);

  asterisk.route(`DELETE /ari/bridges/${bridge.id}`, REPLIES.noContent);
  await rest.deleteBridge(bridge.id);
  assert.equal(lastRequest().method, 'DELETE');
});

test('externalMedia asks for a websocket server channel and reads its connection id', async () => {
  const body = '{"id":"1796034820.2","name":"WebSocket/INCOMING/0x7ff80c003060","state":"Down","protocol_id":"","caller":{"name":"","number":""},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"default","exten":"s","priority":1,"app_name":"AppDial2","app_data":"(Outgoing Line)"},"creationtime":"2026-11-30T10:33:40.436+0000","language":"en","channelvars":{"MEDIA_WEBSOCKET_CONNECTION_ID":"3ad1e4e8-d29b-48eb-995e-7bdbdc8e5721","MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE":"640"}}';
  asterisk.route('POST /ari/channels/externalMedia', { status: 200, reason: 'OK', body });
  const media = await rest.externalMedia({ app: 'voicebot', format: 'slin16' });
  assert.equal(lastRequest().url, '/ari/channels/externalMedia?app=voicebot&transport=websocket&encapsulation=none&format=slin16&connection_type=server');
  assert.equal(media.channelId, '1796034820.2');
  assert.equal(media.connectionId, '3ad1e4e8-d29b-48eb-995e-7bdbdc8e5721');
  assert.equal(media.optimalFrameSizeBytes, 640);
});

test('getVariable: the value, undefined when unset, an error when the channel is gone', async () => {
  asterisk.route('GET /ari/channels/c1/variable', { status: 200, reason: 'OK', body: '{"value":"gold"}' });
  assert.equal(await rest.getVariable('c1', 'CALLER_SEGMENT'), 'gold');
  assert.equal(lastRequest().url, '/ari/channels/c1/variable?variable=CALLER_SEGMENT');
  asterisk.route('GET /ari/channels/c2/variable', REPLIES.variableNotFound);
  assert.equal(await rest.getVariable('c2', 'FROM_ARI'), undefined);
  asterisk.route('GET /ari/channels/c3/variable', REPLIES.channelNotFound);
  await assert.rejects(rest.getVariable('c3', 'X'), { code: 'ARI_NOT_FOUND' });
});

test('listChannels, listBridges and application parse Asterisk\'s bodies', async () => {
  asterisk.route('GET /ari/applications/voicebot', { status: 200, reason: 'OK', body: '{"name":"voicebot","channel_ids":["1796035071.1","1796035071.2"],"bridge_ids":["1740cfb5-b7f4-4efb-94e0-50289db10714"],"endpoint_ids":[],"device_names":[],"events_allowed":[],"events_disallowed":[]}' });
  const app = await rest.application('voicebot');
  assert.deepEqual(app, { name: 'voicebot', channelIds: ['1796035071.1', '1796035071.2'], bridgeIds: ['1740cfb5-b7f4-4efb-94e0-50289db10714'], endpointIds: [] });
  asterisk.route('GET /ari/channels', { status: 200, reason: 'OK', body: '[{"id":"1796035034.1","name":"Local/notstasis@voicebot-00000000;2","state":"Up","protocol_id":"","caller":{"name":"","number":""},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"voicebot","exten":"notstasis","priority":3,"app_name":"Wait","app_data":"30"},"creationtime":"2026-11-30T10:37:14.735+0000","language":"en"}]' });
  const channels = await rest.listChannels();
  assert.equal(channels[0]?.dialplan?.app_name, 'Wait');
  asterisk.route('GET /ari/bridges', { status: 200, reason: 'OK', body: '[]' });
  assert.deepEqual(await rest.listBridges(), []);
});

test('HTTP errors map to stable codes with Asterisk\'s message', async () => {
  const cases: [string, object, string, number, string][] = [
    ['auth', REPLIES.authRequired, 'ARI_AUTH', 401, 'Authentication required'],
    ['gone', REPLIES.channelNotFound, 'ARI_NOT_FOUND', 404, 'Channel not found'],
    ['busy', REPLIES.notInStasis, 'ARI_CONFLICT', 409, 'Channel not in Stasis application'],
    ['bridge', REPLIES.notInStasisBridge, 'ARI_CONFLICT', 422, 'Channel not in Stasis application'],
    ['bad', REPLIES.formatEmpty, 'ARI_BAD_REQUEST', 400, 'format cannot be empty'],
    ['broken', REPLIES.internalError, 'ARI_SERVER', 500, 'An internal error prevented this request from being handled'],
    ['method', REPLIES.invalidMethod, 'ARI_BAD_REQUEST', 405, 'Invalid method'],
  ];
  for (const [id, reply, code, status, message] of cases) {
    asterisk.route(`POST /ari/channels/${id}/answer`, reply as never);
    const error = await rest.answer(id).then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof AriError, id);
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    assert.equal(error.asteriskMessage, message);
    assert.match(error.message, new RegExp(`POST /channels/${id}/answer: ${status} .*${message}`));
  }
});

test('a request with no reply ends at its deadline; a closed port is unreachable', async () => {
  asterisk.route('GET /ari/channels/slow', { status: 200, reason: 'OK', hang: true });
  const startedAtMs = performance.now();
  await assert.rejects(rest.request('GET', '/channels/slow', {}, { timeoutMs: 150 }), { code: 'ARI_TIMEOUT' });
  assert.ok(performance.now() - startedAtMs < 1000);
  const closed = await ScriptedAsterisk.start();
  const url = closed.baseUrl;
  await closed.stop();
  const nowhere = new AriRest({ baseUrl: url, username: 'voicebot', password: PASSWORD, timeoutMs: 500 });
  await assert.rejects(nowhere.answer('x'), { code: 'ARI_UNREACHABLE' });
});

test('the password never appears in errors, logs or URLs', async () => {
  const errors: unknown[] = [];
  for (const id of ['auth', 'gone', 'broken']) errors.push(await rest.answer(id).catch((error: unknown) => error));
  errors.push(await rest.request('GET', '/channels/slow', {}, { timeoutMs: 50 }).catch((error: unknown) => error));
  for (const error of errors) {
    assert.ok(error instanceof Error);
    assert.ok(!`${error.message} ${String(error.stack)} ${JSON.stringify(error)}`.includes(PASSWORD));
  }
  assert.ok(records.length > 0);
  assert.ok(!JSON.stringify(records).includes(PASSWORD));
  assert.ok(!JSON.stringify(records).includes(AUTH.slice(6)));
  for (const request of asterisk.requests) assert.ok(!request.url.includes(PASSWORD));
  assert.throws(() => new AriRest({ baseUrl: `http://voicebot:${PASSWORD}@127.0.0.1:8088`, username: 'u', password: 'p' }), (error: Error) => !error.message.includes(PASSWORD));
});
