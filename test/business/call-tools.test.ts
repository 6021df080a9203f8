import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FakeChatRequest, FakeReply } from '../../src/simulate/fake-ollama.ts';
import { mainCommands, runCall } from '../call/harness.ts';
import { runCli } from '../store/helpers.ts';

/**
 * Business logic in whole calls: a real voicebot process behind the fake Asterisk, the fake
 * Ollama answering in Ollama's tool-call wire format, and a real shop API on 127.0.0.1.
 */
let shop: Server;
let shopBase = '';
const shopHits: string[] = [];

before(async () => {
  shop = createServer((req, res) => {
    shopHits.push(req.url ?? '');
    const id = /^\/api\/orders\/(\d+)$/.exec(req.url ?? '')?.[1];
    if (id === '500500') { res.statusCode = 500; res.end('shop database down'); return; }
    if (id === undefined) { res.statusCode = 404; res.end(); return; }
    const delayMs = id === '777777' ? 1800 : 0;
    setTimeout(() => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ order: id, status: 'shipped', delivery: 'Thursday' })); }, delayMs);
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopBase = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
});

after(async () => {
  shop.closeAllConnections();
  await new Promise<void>((resolve) => shop.close(() => resolve()));
});

const toolSection = () => `
[tool:order_status]
description = Look up an order by its six-digit number.
url = ${shopBase}/api/orders/{order_id}
param.order_id = string
param.order_id.description = The six-digit order number.
param.order_id.pattern = [0-9]{6}
timeout_ms = 4000
wait_text = One moment, I am looking up your order.
wait_after_ms = 1000
`;

/** Caller turn n (1-based) makes the model call order_status with ORDER_IDS[n-1]; a tool result is answered from. */
function shopModel(orderIds: readonly (string | Record<string, unknown>)[]): (request: FakeChatRequest) => FakeReply {
  return (request) => {
    const last = request.messages.at(-1) as { role: string; content: string };
    if (last.role === 'tool') {
      return { content: last.content.startsWith('error:') ? 'Sorry, I cannot check that order right now.' : `Your order ${/"order":"(\d+)"/.exec(last.content)?.[1] ?? ''} has shipped and arrives ${/"delivery":"(\w+)"/.exec(last.content)?.[1] ?? ''}.` };
    }
    const turn = request.messages.filter((m) => m.role === 'user').length;
    const id = orderIds[turn - 1];
    if (id === undefined) return { content: 'Is there anything else?' };
    return { content: '', toolCalls: [{ name: 'order_status', arguments: typeof id === 'string' ? { order_id: id } : id }] };
  };
}

describe('HTTP tools in a call', () => {
  test('a lookup answered and spoken, a slow one with the wait phrase first, then a failing one and bad arguments: each spoken, the call goes on', async () => {
    shopHits.length = 0;
    const run = await runCall({
      caller: [8000, 'Where is my order?', 6000, 'And the second one?', 7000, 'And the third?', 6000, 'One more.', 6000],
      replies: (request) => shopModel(['123456', '777777', '500500', { order_id: '12' }])(request as FakeChatRequest),
      settings: { tools: 'order_status', max_dead_air_ms: 6000 },
      sections: toolSection(),
      hangupAfterAudioMs: 1500,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.equal(run.variables['VOICEBOT_STATUS'], 'CALLER_HANGUP', run.context);
    assert.deepEqual(shopHits, ['/api/orders/123456', '/api/orders/777777', '/api/orders/500500'], 'bad arguments never reach the shop');
    const bot = run.turns.filter((t) => t.role === 'bot').map((t) => t.text);
    assert.equal(bot[1], 'Your order 123456 has shipped and arrives Thursday.', run.context);
    assert.match(bot[2] ?? '', /^One moment, I am looking up your order\.\s+Your order 777777 has shipped/, run.context);
    assert.equal(bot[3], 'Sorry, I cannot check that order right now.', run.context);
    assert.equal(bot[4], 'Sorry, I cannot check that order right now.', run.context);
    assert.ok(!run.events.some((e) => e.kind === 'error'), run.context);

    const rows = run.transcript.filter((r) => r.who === 'TOOL').map((r) => r.text);
    assert.equal(rows.length, 4, run.context);
    assert.match(rows[0] ?? '', /^order_status \{"order_id":"123456"\} -> OK HTTP 200/);
    assert.match(rows[2] ?? '', /-> TOOL_HTTP_ERROR HTTP 500/);
    assert.match(rows[3] ?? '', /-> TOOL_BAD_ARGUMENTS/);
    const whoOrder = run.transcript.map((r) => r.who).join(' ');
    assert.match(whoOrder, /^BOT CALLER TOOL BOT CALLER TOOL BOT/, 'each tool row sits between the caller turn and the reply');
    const show = await runCli(['calls', 'show', run.call.id, '--db', join(run.dir, 'calls.db')]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /tool calls/);
    assert.match(show.stdout, /order_status .*OK 200 .*\n.*order_status .*OK 200 \(wait phrase\)/);
  });
});

describe('transfers by dial pattern', () => {
  test('"put me through to 214" under _2XX transfers; 9005551234 is refused and the caller is told', async () => {
    const run = await runCall({
      caller: [8000, 'Call nine zero zero five five five one two three four.', 6000, 'Then two one four please.', 6000],
      replies: (request) => {
        const messages = (request as FakeChatRequest).messages;
        const last = messages.at(-1);
        if (last?.role === 'tool') return { content: 'Sorry, I cannot transfer you to that number.' };
        return messages.filter((m) => m.role === 'user').length === 1
          ? { content: '', toolCalls: [{ name: 'transfer_call', arguments: { destination: '9005551234' } }] }
          : { content: 'Putting you through to extension 214.', toolCalls: [{ name: 'transfer_call', arguments: { destination: '214' } }] };
      },
      settings: { transfer_patterns: '_2XX' },
      hangupAfterAudioMs: 8000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.equal(run.variables['VOICEBOT_ACTION'], 'transfer', run.context);
    assert.equal(run.variables['VOICEBOT_TRANSFER_TO'], '214', run.context);
    assert.ok(!run.commands.some((c) => c.includes('9005551234')), run.context);
    assert.equal(run.turns.filter((t) => t.role === 'bot')[1]?.text, 'Sorry, I cannot transfer you to that number.');
    const last = mainCommands(run.commands).slice(-4);
    assert.match(last[0] ?? '', /^STREAM FILE \[tts-\d+\] "#0"$/, run.context);
    assert.deepEqual(last.slice(1), ['SET VARIABLE VOICEBOT_ACTION "transfer"', 'SET VARIABLE VOICEBOT_STATUS "TRANSFER"', 'SET VARIABLE VOICEBOT_TRANSFER_TO "214"'], 'the announcement is spoken to the end, then the handoff');
  });
});

describe('say and do agree', () => {
  test('"I\'ll put you through to sales now" without a tool call: the model is asked once more, the transfer happens, the event is in the call log', async () => {
    const run = await runCall({
      caller: [8000, 'Sales please.', 5000],
      replies: (request) => /did not transfer the call/.test((request as FakeChatRequest).messages.at(-1)?.content ?? '')
        ? { content: '', toolCalls: [{ name: 'transfer_call', arguments: { destination: 'sales' } }] }
        : { content: "I'll put you through to sales now." },
      settings: { transfer_destinations: 'sales=PJSIP/201' },
      hangupAfterAudioMs: 8000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.equal(run.variables['VOICEBOT_TRANSFER_TO'], 'PJSIP/201', run.context);
    const event = run.events.find((e) => e.kind === 'say_do_mismatch');
    assert.match(event?.detail ?? '', /said transfer, did none; correct: corrected; "I'll put you through to sales now\."/, run.context);
    assert.equal(run.turns.filter((t) => t.role === 'bot')[1]?.text, "I'll put you through to sales now.");
  });
});

describe('call events to a webhook', () => {
  test('every event of a call reaches the webhook in order, once each, although it was down for part of the call; the call is unaffected', async () => {
    const received: { kind: string; seq: number; at: string; receivedAtMs: number; data: Record<string, unknown> }[] = [];
    let downFromMs = 0;
    let downUntilMs = 0;
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      req.on('end', () => {
        const event = JSON.parse(body) as { kind: string; seq: number; at: string; data: Record<string, unknown> };
        received.push({ ...event, receivedAtMs: Date.now() });
        res.end('ok');
        if (event.kind === 'call_started') {
          // Down from now for 3 s: every event emitted meanwhile must be retried.
          downFromMs = Date.now();
          hook.close();
          hook.closeAllConnections();
          setTimeout(() => { downUntilMs = Date.now(); hook.listen(port, '127.0.0.1'); }, 3000);
        }
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const port = (hook.address() as AddressInfo).port;
    try {
      const run = await runCall({
        caller: [5000, 'Where is my order?', 6000, 'Thanks.', 5000],
        replies: (request) => shopModel(['123456'])(request as FakeChatRequest),
        settings: { tools: 'order_status', webhook_url: `http://127.0.0.1:${port}/voicebot/events`, webhook_flush_ms: 5000 },
        sections: toolSection(),
        hangupAfterAudioMs: 1000,
      });
      assert.equal(run.result.exitCode, 0, run.context);
      assert.equal(run.variables['VOICEBOT_STATUS'], 'CALLER_HANGUP', run.context);
      const kinds = received.map((e) => e.kind);
      assert.deepEqual(kinds, ['call_started', 'turn', 'turn', 'tool_call', 'turn', 'turn', 'turn', 'call_ended'], run.context);
      assert.deepEqual(received.map((e) => e.seq), kinds.map((_, i) => i + 1), 'in order, none twice, none missing');
      assert.ok(received.some((e) => Date.parse(e.at) >= downFromMs && Date.parse(e.at) < downUntilMs && e.receivedAtMs >= downUntilMs),
        `an event emitted while the webhook was down arrived after it came back\n${JSON.stringify(received)}`);
      assert.equal(received[3]?.data['tool'], 'order_status');
      assert.equal(received[3]?.data['code'], 'OK');
      assert.equal(received.at(-1)?.data['status'], 'CALLER_HANGUP');
      assert.ok(!run.events.some((e) => e.kind === 'webhook_undelivered'), run.context);
      assert.deepEqual(run.turns.map((t) => t.role), ['bot', 'caller', 'bot', 'caller', 'bot'], 'the call itself went on as without a webhook');
    } finally {
      hook.closeAllConnections();
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    }
  });

  test('a webhook that never answers costs the call nothing, and its events are kept in the call log', async () => {
    const run = await runCall({
      caller: [5000, 'Hello.', 4000],
      replies: [{ content: 'Hello, how can I help?' }],
      settings: { webhook_url: 'http://127.0.0.1:9/events', webhook_flush_ms: 300 },
      hangupAfterAudioMs: 1000,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    const kept = run.events.filter((e) => e.kind === 'webhook_undelivered').map((e) => (JSON.parse(e.detail ?? '{}') as { kind: string }).kind);
    assert.ok(kept.includes('call_started') && kept.at(-1) === 'call_ended', `undelivered events are in the call log: ${kept.join(', ')}`);
    assert.deepEqual(run.turns.map((t) => t.role), ['bot', 'caller', 'bot']);
  });
});

describe('an announced action the caller talks over', () => {
  test('the caller interrupts "I will put you through to sales": no transfer, their words are answered', async () => {
    const run = await runCall({
      caller: [8000, 'Transfer me to sales.', 1800, 'No wait, I have one more question first.', 6000],
      replies: [
        { content: 'Sure, I will put you through to sales now, so please hold the line for a moment while I connect your call to the team.', toolCalls: [{ name: 'transfer_call', arguments: { destination: 'sales' } }] },
        { content: 'Of course, what is your question?' },
      ],
      settings: { transfer_destinations: 'sales=PJSIP/201' },
      hangupAfterAudioMs: 1000,
      timeScale: 1,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    assert.notEqual(run.variables['VOICEBOT_ACTION'], 'transfer', run.context);
    const bot = run.turns.filter((t) => t.role === 'bot');
    assert.equal(bot[1]?.interrupted, 1, run.context);
    assert.equal(bot[2]?.text, 'Of course, what is your question?', run.context);
    assert.ok(run.events.some((e) => e.kind === 'action_cancelled'), run.context);
  });
});
