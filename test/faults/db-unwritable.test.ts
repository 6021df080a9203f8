import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { callerTimeline, describeRun, lostReplyFiles, readStore, startFaultCall, storeProblems } from './support/call.ts';
import { hookedOllama } from './support/ollama.ts';

/** Three caller turns: the fault starts when request 2 arrives and is lifted when request 3 arrives. */
// Each turn comes after the previous reply has played out (a caller talking over it would interrupt it).
const caller = callerTimeline([700, { speakMs: 900 }, 4000, { speakMs: 800 }, 4000, { speakMs: 700 }, 3000]);
const HANGUP_MS = 15_500;

async function callWithFault(dbPath: string, breakDb: () => void, repairDb: () => void) {
  const ollama = await hookedOllama((n) => {
    if (n === 2) breakDb();
    if (n === 3) repairDb();
  });
  try {
    const run = await startFaultCall({ callerAudio: caller, ollamaHost: ollama.host, timeScale: 2, settings: { db_path: dbPath }, events: [{ action: 'hangup', atMs: HANGUP_MS }] });
    return await run.finished;
  } finally {
    await ollama.close();
  }
}

function assertGoesOn(result: Awaited<ReturnType<typeof callWithFault>>, errorPattern: RegExp): void {
  const context = describeRun(result);
  assert.equal(result.exitCode, 0, context);
  assert.deepEqual(result.leftoverPids, []);
  const replies = result.commands.filter((r) => /^STREAM FILE \S+\/calls\//.test(r.cmd));
  assert.ok(replies.length >= 6, `all three turns were answered despite the DB fault (${replies.length} reply files)\n${context}`);
  assert.deepEqual(storeProblems(result, { allowLogged: true }), [], context);
  const lost = lostReplyFiles(result.log);
  assert.ok(lost.length >= 1, `the reply written during the fault is logged as lost with its data\n${context}`);
  assert.match(result.log, errorPattern);
  const stored = readStore(result.dbPath);
  assert.equal(stored.integrity, 'ok');
  const lastBot = stored.turns.filter((turn) => turn.role === 'bot').at(-1);
  assert.ok(lastBot?.audio_path?.includes(replies.at(-1)!.cmd.split(' ')[2]!), `the turn after the repair is stored (the store reconnects)\n${context}`);
  assert.notEqual(stored.calls[0]?.ended_at, null, 'the call row is closed');
}

test('DB file made read-only mid-call (chattr +i, even writes through the open file fail): the call goes on, losses are logged with their data, writing resumes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-fault-ro-'));
  const dbPath = join(dir, 'calls.db');
  const files = () => [dbPath, `${dbPath}-wal`].filter((file) => existsSync(file));
  const probe = join(dir, 'probe');
  closeSync(openSync(probe, 'w'));
  const can = spawnSync('chattr', ['+i', probe], { encoding: 'utf8' });
  spawnSync('chattr', ['-i', probe]);
  if (can.status !== 0) {
    t.skip(`chattr +i does not work here (${(can.stderr || can.error?.message || 'not root?').trim()}); it needs root on an ext/xfs/btrfs folder. chmod alone does not affect a connection that is already open`);
    return;
  }
  t.after(() => { spawnSync('chattr', ['-i', ...files()]); rmSync(dir, { recursive: true, force: true }); });
  const result = await callWithFault(dbPath, () => { spawnSync('chattr', ['+i', ...files()]); }, () => { spawnSync('chattr', ['-i', ...files()]); });
  assertGoesOn(result, /CALL LOG WRITE LOST \(unwritable\).*(SQLITE_READONLY|SQLITE_IOERR|SQLITE_CANTOPEN|EPERM)/);
});

test('disk full mid-call (a full 2 MB tmpfs under the DB): the call goes on, losses are logged with their data, writing resumes once space is freed', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('mounting a tmpfs needs root; test/store/unwritable.test.ts covers disk-full (RLIMIT_FSIZE) at the store level without it');
    return;
  }
  const mnt = mkdtempSync(join(tmpdir(), 'voicebot-fault-full-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    t.skip(`cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()}); test/store/unwritable.test.ts covers disk-full at the store level`);
    return;
  }
  t.after(() => { spawnSync('umount', [mnt]); rmSync(mnt, { recursive: true, force: true }); });
  mkdirSync(join(mnt, 'db'));
  const dbPath = join(mnt, 'db', 'calls.db');
  const filler = join(mnt, 'filler');
  const fill = () => {
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(16 * 1024));
    } catch (error) {
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      closeSync(fd);
    }
  };
  const result = await callWithFault(dbPath, fill, () => rmSync(filler));
  assertGoesOn(result, /CALL LOG WRITE LOST \(unwritable\).*(SQLITE_FULL|SQLITE_IOERR)/);
});
