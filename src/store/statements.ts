import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './open.ts';

/** The writes of the call log, prepared once per connection. */
export interface Statements {
  openCall: BetterSqlite3.Statement;
  ensureCall: BetterSqlite3.Statement;
  answered: BetterSqlite3.Statement;
  turn: BetterSqlite3.Statement;
  event: BetterSqlite3.Statement;
  toolCall: BetterSqlite3.Statement;
  close: BetterSqlite3.Statement;
}

const CALL_COLUMNS = ['uniqueid', 'host', 'channel', 'caller_number', 'caller_name', 'dnid', 'context', 'extension', 'profile', 'model', 'voice',
  'pid', 'boot_id', 'proc_start'];

export function prepareStatements(db: Database): Statements {
  const placeholders = CALL_COLUMNS.map(() => '?').join(', ');
  const updates = CALL_COLUMNS.map((column) => `${column} = excluded.${column}`).join(', ');
  return {
    openCall: db.prepare(`INSERT INTO calls (id, ${CALL_COLUMNS.join(', ')}, started_at) VALUES (?, ${placeholders}, ?)
      ON CONFLICT (id) DO UPDATE SET ${updates}, started_at = excluded.started_at`),
    ensureCall: db.prepare('INSERT INTO calls (id, host, started_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING'),
    answered: db.prepare(`INSERT INTO calls (id, started_at, answered_at) VALUES (?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET answered_at = excluded.answered_at`),
    turn: db.prepare(`INSERT INTO turns (call_id, seq, role, text, audio_path, caller_audio_path, started_at, ended_at,
      stt_ms, llm_first_token_ms, llm_total_ms, tts_ms, first_audio_ms, interrupted, played_text, dtmf, unplayed)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    event: db.prepare('INSERT INTO events (call_id, at, kind, detail) VALUES (?, ?, ?, ?)'),
    toolCall: db.prepare(`INSERT INTO tool_calls (call_id, at, tool, arguments, code, http_status, duration_ms, waited, result)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    close: db.prepare(`INSERT INTO calls (id, host, started_at, ended_at, end_reason, status, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at, end_reason = excluded.end_reason,
      status = excluded.status, outcome = excluded.outcome`),
  };
}
