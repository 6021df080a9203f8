import type { Database } from './open.ts';
import { isoTime, type CallRow, type EventRow, type ToolCallRow, type TurnRow } from './types.ts';

/** One row of `voicebot calls list`. */
export interface CallListRow extends CallRow {
  turns: number;
}

/** A call with its conversation and timeline. */
export interface CallDetail {
  call: CallRow;
  turns: TurnRow[];
  events: EventRow[];
  toolCalls: ToolCallRow[];
}

export interface ListFilter {
  /** Only calls started at or after this time. */
  sinceMs?: number | undefined;
  /** Caller number contains this text (digits match anywhere: `5551` finds `+15551234`). */
  caller?: string | undefined;
  limit?: number | undefined;
}

/** Newest first. */
export function listCalls(db: Database, filter: ListFilter = {}): CallListRow[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.sinceMs !== undefined) {
    where.push('c.started_at >= ?');
    params.push(isoTime(filter.sinceMs));
  }
  if (filter.caller !== undefined && filter.caller !== '') {
    where.push("(c.caller_number LIKE ? ESCAPE '\\' OR c.caller_name LIKE ? ESCAPE '\\')");
    const pattern = `%${escapeLike(filter.caller)}%`;
    params.push(pattern, pattern);
  }
  params.push(filter.limit ?? 20);
  const sql = `SELECT c.*, (SELECT count(*) FROM turns t WHERE t.call_id = c.id) AS turns FROM calls c
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.started_at DESC, c.id DESC LIMIT ?`;
  return db.prepare(sql).all(...params) as CallListRow[];
}

/**
 * Find a call by its voicebot id, its Asterisk uniqueid, or an unambiguous prefix of its id.
 * Returns undefined when nothing matches; throws nothing on ambiguity but returns the candidates.
 */
export function findCall(db: Database, key: string): { call: CallRow } | { candidates: string[] } | undefined {
  const exact = db.prepare('SELECT * FROM calls WHERE id = ? OR uniqueid = ? ORDER BY started_at DESC').all(key, key) as CallRow[];
  if (exact.length === 1) return { call: exact[0]! };
  if (exact.length > 1) return { candidates: exact.map((row) => row.id) };
  const prefixed = db.prepare("SELECT * FROM calls WHERE id LIKE ? ESCAPE '\\' ORDER BY started_at DESC LIMIT 10")
    .all(`${escapeLike(key)}%`) as CallRow[];
  if (prefixed.length === 1) return { call: prefixed[0]! };
  if (prefixed.length > 1) return { candidates: prefixed.map((row) => row.id) };
  return undefined;
}

/** The call's turns (by seq) and events (by time). */
export function callDetail(db: Database, call: CallRow): CallDetail {
  const turns = db.prepare('SELECT * FROM turns WHERE call_id = ? ORDER BY seq').all(call.id) as TurnRow[];
  const events = db.prepare('SELECT * FROM events WHERE call_id = ? ORDER BY at, id').all(call.id) as EventRow[];
  // A log written by an older voicebot (schema < 4) has no tool_calls table, and readers do not migrate.
  const hasToolCalls = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'tool_calls'").get() !== undefined;
  const toolCalls = hasToolCalls ? db.prepare('SELECT * FROM tool_calls WHERE call_id = ? ORDER BY at, id').all(call.id) as ToolCallRow[] : [];
  return { call, turns, events, toolCalls };
}

/**
 * Every call since a time, oldest first, with turns and events, one at a time (constant memory
 * for large logs). Runs inside one read transaction so the export is a consistent snapshot while
 * calls keep being written.
 */
export function* exportCalls(db: Database, filter: { sinceMs?: number | undefined } = {}): Generator<CallDetail> {
  const page = db.prepare(`SELECT * FROM calls WHERE started_at >= ? AND (started_at, id) > (?, ?)
    ORDER BY started_at, id LIMIT 200`);
  const since = filter.sinceMs === undefined ? '' : isoTime(filter.sinceMs);
  db.exec('BEGIN');
  try {
    let after = { startedAt: '', id: '' };
    for (;;) {
      const calls = page.all(since, after.startedAt, after.id) as CallRow[];
      for (const call of calls) yield callDetail(db, call);
      const last = calls.at(-1);
      if (last === undefined) break;
      after = { startedAt: last.started_at, id: last.id };
    }
  } finally {
    db.exec('COMMIT');
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
