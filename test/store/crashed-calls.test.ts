import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CallStore } from '../../src/store/call-store.ts';
import { currentProcess, processGone } from '../../src/store/process-identity.ts';
import { rawDb, recordingLogger, tempDir } from './helpers.ts';

test('rows of this host whose process is gone are closed as crashed by the next call start; live, foreign and pid-less rows stay open', async () => {
  const path = join(tempDir(), 'calls.db');
  const self = currentProcess();
  const first = new CallStore({ path, logger: recordingLogger().logger, exitHook: false });
  const mine = first.openCall({ callerNumber: '1' });
  first.addTurn(mine, { role: 'caller', text: 'hello', endedAtMs: Date.parse('2030-01-01T00:00:05.000Z') });
  await first.close();
  const db = rawDb(path);
  const insert = db.prepare('INSERT INTO calls (id, host, pid, boot_id, proc_start, started_at) VALUES (?, ?, ?, ?, ?, ?)');
  insert.run('gone', self.host, 2 ** 22 + 7, self.bootId ?? null, 1, '2030-01-01T00:00:00.000Z');
  insert.run('other-boot', self.host, process.pid, 'another-boot', self.procStart ?? null, '2030-01-01T00:00:00.000Z');
  insert.run('other-host', 'elsewhere.example', 2 ** 22 + 7, null, null, '2030-01-01T00:00:00.000Z');
  insert.run('no-pid', self.host, null, null, null, '2030-01-01T00:00:00.000Z');
  db.close();

  assert.equal(processGone({ host: self.host, pid: process.pid, boot_id: self.bootId ?? null, proc_start: self.procStart ?? null }), false);
  const next = new CallStore({ path, logger: recordingLogger().logger, exitHook: false });
  next.closeCrashedCalls();
  await next.close();

  const check = rawDb(path, { readonly: true });
  const rows = Object.fromEntries((check.prepare('SELECT id, end_reason, ended_at FROM calls').all() as { id: string; end_reason: string | null; ended_at: string | null }[]).map((row) => [row.id, row]));
  check.close();
  assert.equal(rows['gone']?.end_reason, 'crashed');
  assert.equal(rows['other-boot']?.end_reason, 'crashed', 'a pid from another boot is not this boot\'s process');
  assert.equal(rows[mine]?.ended_at, null, 'this process is alive: its row stays open');
  assert.equal(rows['other-host']?.ended_at, null);
  assert.equal(rows['no-pid']?.ended_at, null);
});
