import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Logger } from '../../src/log.ts';
import { CallStore, newCallId } from '../../src/store/call-store.ts';
import { openReader, openWriter } from '../../src/store/open.ts';
import { callDetail, findCall, listCalls } from '../../src/store/read.ts';
import { APPLICATION_ID, migrate, SCHEMA_VERSION } from '../../src/store/schema.ts';
import { rawDb, recordingLogger, tempDir } from './helpers.ts';

function freshStore(options: Partial<ConstructorParameters<typeof CallStore>[0]> = {}): { store: CallStore; path: string; records: ReturnType<typeof recordingLogger>['records'] } {
  const { logger, records } = recordingLogger();
  const path = options.path ?? join(tempDir(), 'calls.db');
  return { store: new CallStore({ path, logger, exitHook: false, ...options }), path, records };
}

test('a call written as it goes reads back whole, with the transcript view', async () => {
  const { store, path, records } = freshStore();
  const callId = store.openCall({ uniqueid: '1732.7', channel: 'PJSIP/alice-0001', callerNumber: '+15551234', callerName: 'Alice',
    dnid: '100', context: 'from-internal', extension: 's', profile: 'sales', model: 'llama3.2:1b', voice: 'amy', startedAtMs: 1_000_000 });
  assert.match(callId, /^\d{8}-\d{6}-[0-9a-f]{8}$/);
  store.markAnswered(callId, 1_000_400);
  assert.equal(store.addTurn(callId, { role: 'bot', text: 'Hello!', audioPath: '/a/greet.sln', endedAtMs: 1_001_000, ttsMs: 12 }), 1);
  assert.equal(store.addTurn(callId, { role: 'caller', text: 'What are your hours?', sttMs: 180, startedAtMs: 1_002_000, endedAtMs: 1_004_000, dtmf: '5' }), 2);
  assert.equal(store.addTurn(callId, { role: 'bot', text: 'Nine to five. Anything else?', playedText: 'Nine to five.', interrupted: true,
    llmFirstTokenMs: 310, llmTotalMs: 900, ttsMs: 45, firstAudioMs: 420, endedAtMs: 1_006_000 }), 3);
  store.addEvent(callId, 'barge-in', 'after 1.2 s', 1_005_500);
  store.closeCall(callId, { endReason: 'goodbye', status: 'OK', outcome: 'none', endedAtMs: 1_010_000 });
  assert.deepEqual(store.stats, { written: 7, retries: 0, lost: 0, pending: 0 }, 'each write committed before the method returned');
  await store.close();
  assert.equal(records.filter((record) => record.level === 'error').length, 0);

  const db = openReader(path);
  const found = findCall(db, '1732.7');
  assert.ok(found !== undefined && 'call' in found);
  const detail = callDetail(db, found.call);
  assert.equal(detail.call.caller_name, 'Alice');
  assert.equal(detail.call.answered_at, new Date(1_000_400).toISOString());
  assert.equal(detail.call.end_reason, 'goodbye');
  assert.deepEqual(detail.turns.map((turn) => [turn.seq, turn.role, turn.interrupted, turn.dtmf]), [[1, 'bot', 0, null], [2, 'caller', 0, '5'], [3, 'bot', 1, null]]);
  assert.equal(detail.turns[2]!.first_audio_ms, 420);
  assert.deepEqual(detail.events.map((event) => event.kind), ['barge-in']);
  const transcript = db.prepare('SELECT who, text FROM transcript WHERE call_id = ?').all(callId);
  assert.deepEqual(transcript, [
    { who: 'BOT', text: 'Hello!' },
    { who: 'CALLER', text: 'What are your hours?' },
    { who: 'BOT', text: 'Nine to five. [interrupted; full reply: Nine to five. Anything else?]' },
  ]);
  assert.equal(findCall(db, callId.slice(0, 18)) !== undefined, true, 'an unambiguous id prefix finds the call');
  db.close();
});

test('a locked file: the write returns at once, is retried in the background and lands in order', async () => {
  const { store, path } = freshStore({ busyTimeoutMs: 5 });
  const callId = store.openCall({ callerNumber: '100' });
  const holder = rawDb(path);
  holder.exec('BEGIN IMMEDIATE');
  store.addTurn(callId, { role: 'caller', text: 'first' });
  store.addTurn(callId, { role: 'bot', text: 'second' });
  store.closeCall(callId, { endReason: 'hangup' });
  assert.equal(store.stats.pending, 3, 'nothing written while the lock is held, nothing thrown');
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.ok(store.stats.retries > 1, `retried: ${store.stats.retries}`);
  holder.exec('COMMIT');
  assert.equal(await store.flush(5000), true);
  assert.equal(store.stats.lost, 0);
  const texts = holder.prepare('SELECT text FROM turns WHERE call_id = ? ORDER BY seq').pluck().all(callId);
  assert.deepEqual(texts, ['first', 'second']);
  assert.equal(holder.prepare('SELECT end_reason FROM calls WHERE id = ?').pluck().get(callId), 'hangup');
  holder.close();
  await store.close();
});

test('retries that run out are logged as lost with the data; close() past its deadline does the same', async () => {
  const { store, path, records } = freshStore({ busyTimeoutMs: 1, retryMaxMs: 100, flushTimeoutMs: 50 });
  const callId = store.openCall({ callerNumber: '+15550000' });
  const holder = rawDb(path);
  holder.exec('BEGIN IMMEDIATE');
  store.addTurn(callId, { role: 'caller', text: 'please keep me', sttMs: 99 });
  assert.equal(await store.flush(3000), true);
  const lost = records.find((record) => record.level === 'error' && record.fields['op'] === 'addTurn');
  assert.ok(lost !== undefined, 'loss logged');
  assert.match(lost.message, /CALL LOG WRITE LOST \(still locked after \d+ ms\)/);
  assert.equal(lost.fields['text'], 'please keep me');
  assert.equal(lost.fields['sttMs'], 99);
  assert.equal(lost.fields['callId'], callId);
  assert.equal(lost.tag, 'DB');

  store.closeCall(callId, { endReason: 'hangup', status: 'OK' });
  const stats = await store.close();
  assert.deepEqual({ lost: stats.lost, pending: stats.pending }, { lost: 2, pending: 0 });
  const closeLost = records.find((record) => record.level === 'error' && record.fields['op'] === 'closeCall');
  assert.equal(closeLost?.fields['endReason'], 'hangup');
  holder.exec('ROLLBACK');
  holder.close();
});

test('a turn whose call row was lost still lands (the call row is re-created as a stub)', async () => {
  const { store, path } = freshStore();
  const callId = store.openCall({ callerNumber: 'x' });
  store.addTurn(callId, { role: 'caller', text: 'hello' });
  await store.close();
  const db = rawDb(path);
  db.exec('DELETE FROM calls');
  db.close();
  const { store: second } = freshStore({ path });
  second.addTurn(callId, { role: 'caller', text: 'after loss' });
  second.closeCall(callId, { endReason: 'hangup' });
  await second.close();
  const check = rawDb(path);
  assert.deepEqual(check.prepare('SELECT end_reason FROM calls WHERE id = ?').pluck().all(callId), ['hangup']);
  assert.deepEqual(check.prepare('SELECT text FROM turns').pluck().all(), ['after loss']);
  check.close();
});

test('migration: an older-version DB is upgraded at open and keeps its rows', async () => {
  const path = join(tempDir(), 'old.db');
  // A v1 file: only the first migration, with data written by a v1 writer.
  writeFileSync(path, '');
  const raw = rawDb(path);
  migrate(raw, 1);
  raw.prepare("INSERT INTO calls (id, started_at, caller_number) VALUES ('old-1', '2024-01-01T00:00:00.000Z', '42')").run();
  raw.prepare("INSERT INTO turns (call_id, seq, role, text) VALUES ('old-1', 1, 'caller', 'from v1')").run();
  raw.close();

  const { store } = freshStore({ path });
  const callId = store.openCall({ callerNumber: '43' });
  store.addTurn(callId, { role: 'bot', text: 'from v2' });
  await store.close();

  const db = rawDb(path);
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(db.pragma('application_id', { simple: true }), APPLICATION_ID);
  assert.deepEqual(db.prepare('SELECT text FROM transcript ORDER BY text').pluck().all(), ['from v1', 'from v2']);
  assert.ok(db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'calls_started_at'").get() !== undefined);
  db.close();
});

test('the CLI reader upgrades an old file itself; a newer or foreign file is refused and never touched', async () => {
  const dir = tempDir();
  const v1 = join(dir, 'v1.db');
  const Database = (await import('../../src/runtime/native.ts')).loadBetterSqlite3();
  const raw = new Database(v1);
  migrate(raw, 1);
  raw.close();
  const reader = openReader(v1);
  assert.equal(reader.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.deepEqual(listCalls(reader), []);
  reader.close();

  const newer = join(dir, 'newer.db');
  const future = new Database(newer);
  migrate(future);
  future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  future.close();
  assert.throws(() => openReader(newer), /schema v\d+ but this voicebot knows only up to v\d+/);
  const { store, records } = freshStore({ path: newer });
  store.openCall({ callerNumber: '1' });
  await store.close();
  assert.equal(store.stats.lost, 1);
  assert.equal(records.find((record) => record.level === 'error')?.fields['error'], 'DB_SCHEMA_NEWER');

  const foreign = join(dir, 'foreign.db');
  const other = new Database(foreign);
  other.exec('CREATE TABLE calls (x)');
  other.close();
  assert.throws(() => openWriter(foreign, { busyTimeoutMs: 10, synchronous: 'normal' }), /not a voicebot call log/);
});

test('with redact_transcripts on, loss lines hide transcripts and caller numbers', async () => {
  const logger = new Logger({ stderr: false, level: 'debug', redactTranscripts: true });
  const lines: string[] = [];
  logger.addSink((record) => lines.push(JSON.stringify(record.fields)));
  const dir = tempDir();
  const blocked = new CallStore({ path: join(dir, 'calls.db', 'nested.db'), logger, exitHook: false });
  // A regular file where the folder should be: the folder cannot be created.
  (await import('node:fs')).writeFileSync(join(dir, 'calls.db'), 'x');
  const callId = blocked.openCall({ callerNumber: '+15559999' });
  blocked.addTurn(callId, { role: 'bot', text: 'secret reply', playedText: 'secret' });
  await blocked.close();
  assert.equal(blocked.stats.lost, 2);
  const joined = lines.join('\n');
  assert.doesNotMatch(joined, /secret|15559999/);
  assert.match(joined, /redacted 12 chars/);
});

test('call ids sort by start time and are unique', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => newCallId(Date.UTC(2025, 0, 2, 3, 4, 5))));
  assert.equal(ids.size, 1000);
  assert.ok([...ids].every((id) => id.startsWith('20250102-030405-')));
  assert.ok(newCallId(Date.UTC(2025, 0, 2)) < newCallId(Date.UTC(2025, 0, 3)));
});
