import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, rmSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CallStore } from '../../src/store/call-store.ts';
import { collect, rawDb, recordingLogger, spawnWriter, tempDir, WRITER } from './helpers.ts';

const TURNS = 50;
const NOBODY = 65534;

/** Texts of turns the writer logged as lost: the data must be in the log line. */
function lostTexts(stderr: string): string[] {
  return stderr.split('\n')
    .filter((line) => line.includes('CALL LOG WRITE LOST') && line.includes('op=addTurn'))
    .map((line) => /text="([^"]*)"/.exec(line)?.[1] ?? '<no text in the line>');
}

function allTexts(writer: number, textBytes = 0): string[] {
  return Array.from({ length: TURNS }, (_, index) => `writer ${writer} turn ${index + 1}`.padEnd(textBytes, '.'));
}

async function seedDb(path: string): Promise<void> {
  const { logger } = recordingLogger();
  const store = new CallStore({ path, logger, exitHook: false });
  store.closeCall(store.openCall({ callerNumber: 'seed' }), { endReason: 'hangup' });
  await store.close();
}

test('read-only DB file and folder: the call goes on, every write is logged as lost with its data', async (t) => {
  const dir = tempDir();
  const dbDir = join(dir, 'db');
  mkdirSync(dbDir);
  const path = join(dbDir, 'calls.db');
  await seedDb(path);
  chmodSync(path, 0o444);
  chmodSync(dbDir, 0o555);
  t.after(() => chmodSync(dbDir, 0o755));
  // root ignores file modes: run the writer as nobody, as Asterisk runs it as asterisk.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const probe = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(WRITER)})`], { uid: NOBODY, gid: NOBODY });
    if (probe.status !== 0) {
      t.skip(`running as root and user nobody cannot read ${WRITER} (checkout under a private folder?), so file modes cannot be tested`);
      return;
    }
  }
  const result = await collect(spawnWriter({ path, writer: 3, turns: TURNS }, asRoot ? { uid: NOBODY } : {}));
  assert.equal(result.code, 0, result.stderr);
  const stats = JSON.parse(/^done (.*)$/m.exec(result.stdout)![1]!) as { written: number; lost: number };
  assert.deepEqual(stats, { ...stats, written: 0, lost: TURNS + 4 });
  assert.deepEqual(lostTexts(result.stderr), allTexts(3));
  assert.match(result.stderr, /ERROR \[DB\] .*CALL LOG WRITE LOST \(unwritable\): openCall .*fix=".*writable by the user voicebot runs as.*callerNumber=\+15550000003/);
  const db = rawDb(path, { readonly: true });
  assert.equal(db.prepare('SELECT count(*) FROM calls').pluck().get(), 1, 'the file is untouched');
  db.close();
});

test('missing folder that cannot be created: the call goes on, the loss is logged', async () => {
  const dir = tempDir();
  closeSync(openSync(join(dir, 'not-a-folder'), 'w'));
  const result = await collect(spawnWriter({ path: join(dir, 'not-a-folder', 'calls.db'), writer: 4, turns: TURNS }));
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(lostTexts(result.stderr), allTexts(4));
  assert.match(result.stderr, /error=(EEXIST|ENOTDIR) .*fix=".*must be a folder; fix db_path"/);
});

test('disk full (tmpfs): a full disk loses turns loudly, and writing resumes once space is freed', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('mounting a tmpfs needs root; the RLIMIT_FSIZE test below covers disk-full without it');
    return;
  }
  const mnt = join(tempDir(), 'mnt');
  mkdirSync(mnt);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    t.skip(`cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()}); the RLIMIT_FSIZE test covers disk-full`);
    return;
  }
  t.after(() => execFileSync('umount', [mnt]));
  const path = join(mnt, 'calls.db');
  const { logger, records } = recordingLogger();
  const store = new CallStore({ path, logger, exitHook: false });
  const callId = store.openCall({ callerNumber: '+15551111' });
  const filler = join(mnt, 'filler');
  const fd = openSync(filler, 'w');
  try {
    for (;;) writeSync(fd, Buffer.alloc(64 * 1024));
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
  const big = 'x'.repeat(20_000);
  for (let index = 0; index < 5; index++) store.addTurn(callId, { role: 'caller', text: `full ${index} ${big}` });
  assert.equal(store.stats.pending, 0);
  assert.ok(store.stats.lost >= 1, `lost: ${store.stats.lost}`);
  const lost = records.filter((record) => record.level === 'error' && record.fields['op'] === 'addTurn');
  assert.equal(lost.length, store.stats.lost);
  assert.match(String(lost[0]!.fields['error']), /SQLITE_FULL|SQLITE_IOERR/);
  assert.match(String(lost[0]!.fields['text']), /^full \d xxx/);

  rmSync(filler);
  store.addTurn(callId, { role: 'bot', text: 'after space was freed' });
  store.closeCall(callId, { endReason: 'hangup' });
  const stats = await store.close();
  const db = rawDb(path, { readonly: true });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  const stored = db.prepare('SELECT text FROM turns').pluck().all() as string[];
  assert.ok(stored.includes('after space was freed'));
  assert.equal(stored.length + lost.length, 6, 'every turn is either stored or in a loss line');
  assert.equal(db.prepare('SELECT end_reason FROM calls').pluck().get(), 'hangup');
  db.close();
  assert.equal(stats.pending, 0);
});

test('disk full (RLIMIT_FSIZE in a child): the call goes on, every turn is stored or logged with its data', async (t) => {
  const dir = tempDir();
  const path = join(dir, 'calls.db');
  await seedDb(path);
  const limitBytes = statSync(path).size + 96 * 1024;
  const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;
  const prefix = hasPrlimit
    ? ['prlimit', `--fsize=${limitBytes}`]
    : ['sh', '-c', `ulimit -f ${Math.floor(limitBytes / 1024)} && exec "$0" "$@"`];
  if (!hasPrlimit) t.diagnostic('prlimit not found; using sh ulimit -f');
  const result = await collect(spawnWriter({ path, writer: 5, turns: TURNS, textBytes: 1500 }, { prefix }));
  assert.equal(result.code, 0, result.stderr);
  const lost = lostTexts(result.stderr);
  assert.ok(lost.length > 0, 'the limit was reached');
  const db = rawDb(path);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  const stored = db.prepare('SELECT text FROM turns').pluck().all() as string[];
  assert.deepEqual([...stored, ...lost].sort(), allTexts(5, 1500).sort(), 'every turn is either stored or in a loss line');
  db.close();
});
