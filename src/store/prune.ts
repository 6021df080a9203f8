import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { errorCode } from '../errors.ts';
import type { Database } from './open.ts';
import { isoTime } from './types.ts';

export interface PruneResult {
  calls: number;
  turns: number;
  events: number;
  /** Audio files deleted (or, in a dry run, that would be). */
  files: string[];
  /** Files that could not be deleted, with the reason. */
  fileErrors: { path: string; error: string }[];
}

/** Calls deleted per transaction: keeps each write lock short so live calls are barely delayed. */
const BATCH = 200;

/**
 * Delete calls started before `beforeMs` (their turns and events go with them) and the audio files
 * they reference that no remaining call still references (a cached greeting used by newer calls
 * stays). Files are deleted only after the rows are committed; missing files are not errors.
 */
export function pruneCalls(db: Database, options: { beforeMs: number; dryRun: boolean }): PruneResult {
  const before = isoTime(options.beforeMs);
  const result: PruneResult = { calls: 0, turns: 0, events: 0, files: [], fileErrors: [] };
  const pickIds = db.prepare('SELECT id FROM calls WHERE started_at < ? ORDER BY started_at, id LIMIT ? OFFSET ?').pluck();
  const countTurns = db.prepare('SELECT count(*) FROM turns WHERE call_id = ?').pluck();
  const countEvents = db.prepare('SELECT count(*) FROM events WHERE call_id = ?').pluck();
  const paths = db.prepare(`SELECT audio_path FROM turns WHERE call_id = ? AND audio_path IS NOT NULL
    UNION SELECT caller_audio_path FROM turns WHERE call_id = ? AND caller_audio_path IS NOT NULL`).pluck();
  const deleteCall = db.prepare('DELETE FROM calls WHERE id = ?');
  const stillUsed = db.prepare('SELECT 1 FROM turns WHERE audio_path = ? UNION ALL SELECT 1 FROM turns WHERE caller_audio_path = ? LIMIT 1').pluck();
  const usedByKept = db.prepare(`SELECT 1 FROM turns t JOIN calls c ON c.id = t.call_id
    WHERE (t.audio_path = ? OR t.caller_audio_path = ?) AND c.started_at >= ? LIMIT 1`).pluck();
  const wouldDelete = new Set<string>();

  let offset = 0;
  for (;;) {
    const candidates = new Set<string>();
    const transaction = db.transaction(() => {
      const ids = pickIds.all(before, BATCH, options.dryRun ? offset : 0) as string[];
      for (const id of ids) {
        result.turns += countTurns.get(id) as number;
        result.events += countEvents.get(id) as number;
        for (const path of paths.all(id, id) as string[]) candidates.add(path);
        if (!options.dryRun) deleteCall.run(id);
      }
      result.calls += ids.length;
      if (options.dryRun) return ids.length;
      for (const path of candidates) if (stillUsed.get(path, path) !== undefined) candidates.delete(path);
      return ids.length;
    });
    const batch = options.dryRun ? transaction.deferred() : transaction.immediate();
    // In a dry run nothing is deleted, so a path is "still used" only by calls outside the cut.
    if (options.dryRun) {
      for (const path of candidates) if (usedByKept.get(path, path, before) === undefined && existsSync(path)) wouldDelete.add(path);
    } else {
      for (const path of candidates) removeFile(path, result);
    }
    offset += batch;
    if (batch < BATCH) break;
  }
  if (options.dryRun) result.files = [...wouldDelete];
  return result;
}

function removeFile(path: string, result: PruneResult): void {
  try {
    if (!lstatSync(path).isFile()) {
      result.fileErrors.push({ path, error: 'not a regular file; left in place' });
      return;
    }
    unlinkSync(path);
    result.files.push(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') result.fileErrors.push({ path, error: errorCode(error) });
  }
}
