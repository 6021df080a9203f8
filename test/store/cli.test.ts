import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { CallStore } from '../../src/store/call-store.ts';
import { rawDb, recordingLogger, runCli, tempDir } from './helpers.ts';

const DAY_MS = 86_400_000;
let dir = '';
let db = '';
const ids: Record<'old' | 'recent' | 'failed', string> = { old: '', recent: '', failed: '' };
const audio = { oldOnly: '', shared: '', recent: '' };

before(async () => {
  dir = tempDir();
  db = join(dir, 'calls.db');
  for (const name of ['oldOnly', 'shared', 'recent'] as const) {
    audio[name] = join(dir, `${name}.sln`);
    writeFileSync(audio[name], 'pcm');
  }
  const { logger } = recordingLogger();
  const store = new CallStore({ path: db, logger, exitHook: false });
  const now = Date.now();

  ids.old = store.openCall({ uniqueid: '1600000000.1', callerNumber: '+15550001', profile: 'sales', startedAtMs: now - 100 * DAY_MS });
  store.addTurn(ids.old, { role: 'bot', text: 'Hello from long ago', audioPath: audio.shared, endedAtMs: now - 100 * DAY_MS + 1000 });
  store.addTurn(ids.old, { role: 'bot', text: 'Old only reply', audioPath: audio.oldOnly, endedAtMs: now - 100 * DAY_MS + 2000 });
  store.addEvent(ids.old, 'dtmf', '5', now - 100 * DAY_MS + 1500);
  store.closeCall(ids.old, { endReason: 'hangup', status: 'OK', endedAtMs: now - 100 * DAY_MS + 30_000 });

  ids.recent = store.openCall({ uniqueid: '1700000000.42', callerNumber: '+15551234', callerName: 'Alice', profile: 'support', startedAtMs: now - 2 * DAY_MS });
  store.addTurn(ids.recent, { role: 'bot', text: 'Hello, how can I help?', audioPath: audio.shared, ttsMs: 35, endedAtMs: now - 2 * DAY_MS + 1200 });
  store.addTurn(ids.recent, { role: 'caller', text: 'What are your opening hours?', sttMs: 182, endedAtMs: now - 2 * DAY_MS + 5000 });
  store.addTurn(ids.recent, { role: 'bot', text: 'We open at nine. Anything else?', playedText: 'We open at nine.', interrupted: true,
    audioPath: audio.recent, llmFirstTokenMs: 412, llmTotalMs: 1310, ttsMs: 88, firstAudioMs: 640, endedAtMs: now - 2 * DAY_MS + 7000 });
  store.closeCall(ids.recent, { endReason: 'goodbye', status: 'OK', endedAtMs: now - 2 * DAY_MS + 63_000 });

  ids.failed = store.openCall({ uniqueid: '1700000100.7', callerNumber: '+15559876', profile: 'support', startedAtMs: now - DAY_MS });
  store.addEvent(ids.failed, 'error', 'LLM_UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:11434', now - DAY_MS + 500);
  store.closeCall(ids.failed, { endReason: 'error', status: 'ERROR', endedAtMs: now - DAY_MS + 4000 });
  const stats = await store.close();
  assert.equal(stats.lost, 0);
});

test('calls list: aligned columns, newest first, filters, --json', async () => {
  const result = await runCli(['calls', 'list', '--db', db]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const lines = result.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^ID +STARTED +DURATION +CALLER +TURNS +END +STATUS +PROFILE$/);
  assert.deepEqual(lines.slice(1).map((line) => line.split(/\s+/)[0]), [ids.failed, ids.recent, ids.old]);
  const callerColumn = lines[0]!.indexOf('CALLER');
  assert.ok(lines.slice(1).every((line) => /^\+/.test(line.slice(callerColumn))), 'caller numbers start in the CALLER column');
  assert.match(lines[2]!, /1m03s +\+15551234 "Alice" +3 +goodbye +OK +support/);

  const byCaller = JSON.parse((await runCli(['calls', 'list', '--db', db, '--caller', '5551234', '--json'])).stdout) as { id: string; turns: number }[];
  assert.deepEqual(byCaller.map((row) => [row.id, row.turns]), [[ids.recent, 3]]);
  const since = JSON.parse((await runCli(['calls', '--db', db, 'list', '--since', '7d', '--json'])).stdout) as { id: string }[];
  assert.deepEqual(since.map((row) => row.id), [ids.failed, ids.recent]);
  const limited = JSON.parse((await runCli(['calls', 'list', '--db', db, '-n', '1', '--json'])).stdout) as { id: string }[];
  assert.deepEqual(limited.map((row) => row.id), [ids.failed]);
});

test('calls show: the conversation with timings, by uniqueid or id; --json; unknown id is exit 1', async () => {
  const result = await runCli(['calls', 'show', '1700000000.42', '--db', db]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`call +${ids.recent} +uniqueid 1700000000.42`));
  assert.match(result.stdout, /caller +\+15551234 "Alice"/);
  assert.match(result.stdout, /end +goodbye +status OK/);
  assert.match(result.stdout, /^#\s+AT\s+WHO\s+STT\s+LLM1ST\s+LLM\s+TTS\s+AUDIO1ST\s+TEXT$/m);
  assert.match(result.stdout, /^2\s+\+5\.0s\s+caller\s+182\s+What are your opening hours\?$/m);
  assert.match(result.stdout, /^3\s+\+7\.0s\s+bot\s+412\s+1310\s+88\s+640\s+We open at nine\. Anything else\? \[interrupted; heard: "We open at nine\."\]$/m);

  const json = JSON.parse((await runCli(['calls', 'show', ids.failed, '--json', '--db', db])).stdout) as { status: string; turns: unknown[]; events: { kind: string }[] };
  assert.equal(json.status, 'ERROR');
  assert.deepEqual(json.events.map((event) => event.kind), ['error']);

  const missing = await runCli(['calls', 'show', 'nope', '--db', db]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /no call with id or uniqueid 'nope'/);
});

test('calls export --format jsonl: one call per line, oldest first, with turns and events', async () => {
  const all = await runCli(['calls', 'export', '--format', 'jsonl', '--db', db]);
  assert.equal(all.code, 0, all.stderr);
  const calls = all.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { id: string; turns: { interrupted: boolean }[]; events: unknown[] });
  assert.deepEqual(calls.map((call) => call.id), [ids.old, ids.recent, ids.failed]);
  assert.deepEqual(calls[1]!.turns.map((turn) => turn.interrupted), [false, false, true]);
  const since = await runCli(['calls', 'export', '--since', '36h', '--db', db]);
  assert.deepEqual(since.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { id: string }).id), [ids.failed]);
  const badFormat = await runCli(['calls', 'export', '--format', 'csv', '--db', db]);
  assert.equal(badFormat.code, 2);
});

test('reading works while another process holds the write lock mid-transaction', async () => {
  const writer = rawDb(db);
  writer.exec('BEGIN IMMEDIATE');
  writer.prepare("INSERT INTO calls (id, started_at) VALUES ('uncommitted', ?)").run(new Date().toISOString());
  try {
    const result = await runCli(['calls', 'list', '--json', '--db', db]);
    assert.equal(result.code, 0, result.stderr);
    const rows = JSON.parse(result.stdout) as { id: string }[];
    assert.equal(rows.length, 3);
    assert.ok(!rows.some((row) => row.id === 'uncommitted'));
  } finally {
    writer.exec('ROLLBACK');
    writer.close();
  }
});

test('config: db_path from --config; missing DB and usage errors go to stderr with exit 1 / 2', async () => {
  const conf = join(dir, 'voicebot.conf');
  writeFileSync(conf, '[general]\ndb_path = calls.db\n');
  const viaConfig = await runCli(['calls', 'list', '--config', conf, '--json']);
  assert.equal(viaConfig.code, 0, viaConfig.stderr);
  assert.equal((JSON.parse(viaConfig.stdout) as unknown[]).length, 3);

  const missing = await runCli(['calls', 'list', '--db', join(dir, 'absent.db')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /there is no call log at .*absent\.db.*Fix:/);
  assert.equal(missing.stdout, '');
  assert.equal(existsSync(join(dir, 'absent.db')), false, 'reading never creates a DB');

  const badConfig = await runCli(['calls', 'list', '--config', join(dir, 'nope.conf')]);
  assert.equal(badConfig.code, 1);
  assert.match(badConfig.stderr, /nope\.conf.*does not exist/);

  assert.equal((await runCli(['calls', 'prune', '--db', db])).code, 2, '--older-than is required');
  const badDuration = await runCli(['calls', 'prune', '--older-than', 'soon', '--db', db]);
  assert.equal(badDuration.code, 2);
  assert.match(badDuration.stderr, /90d/);
});

test('calls prune: --dry-run changes nothing; prune deletes old calls and audio only they reference', async () => {
  const dry = await runCli(['calls', 'prune', '--older-than', '90d', '--dry-run', '--json', '--db', db]);
  assert.equal(dry.code, 0, dry.stderr);
  const planned = JSON.parse(dry.stdout) as { calls: number; turns: number; events: number; files: string[] };
  assert.deepEqual({ calls: planned.calls, turns: planned.turns, events: planned.events, files: planned.files },
    { calls: 1, turns: 2, events: 1, files: [audio.oldOnly] });
  assert.ok(existsSync(audio.oldOnly));

  const real = await runCli(['calls', 'prune', '--older-than', '90d', '--db', db]);
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stdout, /deleted 1 call\(s\) started before .* \(2 turns, 1 events\)\ndeleted 1 audio file\(s\)/);
  assert.equal(existsSync(audio.oldOnly), false);
  assert.equal(existsSync(audio.shared), true, 'a file a newer call still uses stays');
  const check = rawDb(db, { readonly: true });
  assert.deepEqual(check.prepare('SELECT id FROM calls ORDER BY started_at').pluck().all(), [ids.recent, ids.failed]);
  assert.equal(check.prepare('SELECT count(*) FROM turns WHERE call_id = ?').pluck().get(ids.old), 0);
  assert.equal(check.prepare('SELECT count(*) FROM events WHERE call_id = ?').pluck().get(ids.old), 0);
  check.close();
});
