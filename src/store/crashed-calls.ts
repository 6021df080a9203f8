import type { Database } from './open.ts';
import { processGone, type ProcessIdentity } from './process-identity.ts';
import { isoTime } from './types.ts';

interface OpenRow {
  id: string;
  host: string | null;
  pid: number | null;
  boot_id: string | null;
  proc_start: number | null;
  last_at: string;
}

/**
 * Close the rows of this host whose process is gone (SIGKILL, OOM, power cut): end_reason
 * `crashed`, ended at the last thing the process stored. Rows of live processes, of other hosts
 * and rows without a pid are left alone. Returns the ids closed.
 */
export function closeCrashedCalls(db: Database, self: ProcessIdentity): string[] {
  const rows = db.prepare(`SELECT c.id, c.host, c.pid, c.boot_id, c.proc_start,
      max(c.started_at, coalesce(c.answered_at, ''), coalesce((SELECT max(coalesce(t.ended_at, '')) FROM turns t WHERE t.call_id = c.id), ''),
        coalesce((SELECT max(e.at) FROM events e WHERE e.call_id = c.id), '')) AS last_at
    FROM calls c WHERE c.ended_at IS NULL AND c.host = ? AND c.pid IS NOT NULL`).all(self.host) as OpenRow[];
  const gone = rows.filter((row) => processGone(row, self) === true);
  const close = db.prepare(`UPDATE calls SET ended_at = ?, end_reason = 'crashed', status = coalesce(status, 'CRASHED')
    WHERE id = ? AND ended_at IS NULL`);
  db.transaction(() => {
    for (const row of gone) close.run(row.last_at === '' ? isoTime(Date.now()) : row.last_at, row.id);
  }).immediate();
  return gone.map((row) => row.id);
}
