import type BetterSqlite3 from 'better-sqlite3';
import { VoicebotError } from '../errors.ts';

/** `PRAGMA application_id` of a voicebot call log ("VBOT"), so a foreign SQLite file is never migrated. */
export const APPLICATION_ID = 0x56424f54;

/**
 * Forward-only migrations; migration N brings `user_version` from N-1 to N. Never edit a shipped
 * entry: append a new one. Timestamps are ISO-8601 UTC text with milliseconds (`...T12:00:00.000Z`),
 * which sorts as time and works with SQLite's date functions.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: tables.
  `
  CREATE TABLE calls (
    id            TEXT PRIMARY KEY,
    uniqueid      TEXT,
    host          TEXT,
    channel       TEXT,
    caller_number TEXT,
    caller_name   TEXT,
    dnid          TEXT,
    context       TEXT,
    extension     TEXT,
    profile       TEXT,
    model         TEXT,
    voice         TEXT,
    started_at    TEXT NOT NULL,
    answered_at   TEXT,
    ended_at      TEXT,
    end_reason    TEXT,
    status        TEXT,
    outcome       TEXT
  ) STRICT;

  CREATE TABLE turns (
    call_id            TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    seq                INTEGER NOT NULL,
    role               TEXT NOT NULL CHECK (role IN ('caller', 'bot')),
    text               TEXT NOT NULL DEFAULT '',
    audio_path         TEXT,
    caller_audio_path  TEXT,
    started_at         TEXT,
    ended_at           TEXT,
    stt_ms             INTEGER,
    llm_first_token_ms INTEGER,
    llm_total_ms       INTEGER,
    tts_ms             INTEGER,
    first_audio_ms     INTEGER,
    interrupted        INTEGER NOT NULL DEFAULT 0 CHECK (interrupted IN (0, 1)),
    played_text        TEXT,
    dtmf               TEXT,
    PRIMARY KEY (call_id, seq)
  ) STRICT;

  CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    at      TEXT NOT NULL,
    kind    TEXT NOT NULL,
    detail  TEXT
  ) STRICT;
  `,
  // 2: indexes for the CLI and prune, and the views an admin reads in the sqlite3 shell.
  `
  CREATE INDEX calls_started_at ON calls(started_at);
  CREATE INDEX calls_uniqueid ON calls(uniqueid);
  CREATE INDEX calls_caller_number ON calls(caller_number);
  CREATE INDEX events_call_id ON events(call_id, at);
  CREATE INDEX turns_audio_path ON turns(audio_path) WHERE audio_path IS NOT NULL;
  CREATE INDEX turns_caller_audio_path ON turns(caller_audio_path) WHERE caller_audio_path IS NOT NULL;

  CREATE VIEW transcript AS
  SELECT
    t.call_id,
    t.seq,
    strftime('%H:%M:%f', coalesce(t.started_at, t.ended_at), 'localtime') AS time,
    CASE t.role WHEN 'caller' THEN 'CALLER' ELSE 'BOT' END AS who,
    CASE WHEN t.interrupted = 1
      THEN coalesce(t.played_text, '') || ' [interrupted; full reply: ' || t.text || ']'
      ELSE t.text END AS text,
    t.stt_ms,
    t.llm_first_token_ms,
    t.llm_total_ms,
    t.tts_ms,
    t.first_audio_ms,
    t.dtmf
  FROM turns t
  ORDER BY t.call_id, t.seq;

  CREATE VIEW call_summary AS
  SELECT
    c.id,
    c.uniqueid,
    datetime(c.started_at, 'localtime') AS started,
    c.caller_number,
    c.caller_name,
    c.profile,
    round((julianday(coalesce(c.ended_at, c.started_at)) - julianday(c.started_at)) * 86400, 1) AS duration_s,
    (SELECT count(*) FROM turns t WHERE t.call_id = c.id) AS turns,
    c.end_reason,
    c.status
  FROM calls c;
  `,
  // 3: the process that wrote a call (host is in v1), so a row left open by a dead process can be
  // told from a live call; bot turns mark generated text the caller never heard.
  `
  ALTER TABLE calls ADD COLUMN pid INTEGER;
  ALTER TABLE calls ADD COLUMN boot_id TEXT;
  ALTER TABLE calls ADD COLUMN proc_start INTEGER;
  ALTER TABLE turns ADD COLUMN unplayed INTEGER NOT NULL DEFAULT 0 CHECK (unplayed IN (0, 1));
  CREATE INDEX calls_open ON calls(host, ended_at) WHERE ended_at IS NULL;

  DROP VIEW transcript;
  CREATE VIEW transcript AS
  SELECT
    t.call_id,
    t.seq,
    strftime('%H:%M:%f', coalesce(t.started_at, t.ended_at), 'localtime') AS time,
    CASE t.role WHEN 'caller' THEN 'CALLER' ELSE 'BOT' END AS who,
    CASE
      WHEN t.interrupted = 1 THEN coalesce(t.played_text, '') || ' [interrupted; full reply: ' || t.text || ']'
      WHEN t.unplayed = 1 THEN coalesce(t.played_text, '') || ' [not played: ' || t.text || ']'
      ELSE t.text END AS text,
    t.stt_ms,
    t.llm_first_token_ms,
    t.llm_total_ms,
    t.tts_ms,
    t.first_audio_ms,
    t.dtmf
  FROM turns t
  ORDER BY t.call_id, t.seq;
  `,
  // 4: HTTP tool calls of the model (arguments as the model sent them, the result it was given),
  // also shown in the transcript view between the turns around them.
  `
  CREATE TABLE tool_calls (
    id          INTEGER PRIMARY KEY,
    call_id     TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    tool        TEXT NOT NULL,
    arguments   TEXT,
    code        TEXT NOT NULL,
    http_status INTEGER,
    duration_ms INTEGER,
    waited      INTEGER NOT NULL DEFAULT 0 CHECK (waited IN (0, 1)),
    result      TEXT
  ) STRICT;
  CREATE INDEX tool_calls_call_id ON tool_calls(call_id, at);

  DROP VIEW transcript;
  CREATE VIEW transcript AS
  SELECT call_id, seq, time, who, text, stt_ms, llm_first_token_ms, llm_total_ms, tts_ms, first_audio_ms, dtmf FROM (
    SELECT
      t.call_id,
      t.seq,
      0 AS sub,
      strftime('%H:%M:%f', coalesce(t.started_at, t.ended_at), 'localtime') AS time,
      CASE t.role WHEN 'caller' THEN 'CALLER' ELSE 'BOT' END AS who,
      CASE
        WHEN t.interrupted = 1 THEN coalesce(t.played_text, '') || ' [interrupted; full reply: ' || t.text || ']'
        WHEN t.unplayed = 1 THEN coalesce(t.played_text, '') || ' [not played: ' || t.text || ']'
        ELSE t.text END AS text,
      t.stt_ms, t.llm_first_token_ms, t.llm_total_ms, t.tts_ms, t.first_audio_ms, t.dtmf
    FROM turns t
    UNION ALL
    SELECT
      c.call_id,
      (SELECT coalesce(max(t.seq), 0) FROM turns t WHERE t.call_id = c.call_id AND t.role = 'caller' AND coalesce(t.started_at, t.ended_at) <= c.at),
      c.id,
      strftime('%H:%M:%f', c.at, 'localtime'),
      'TOOL',
      c.tool || ' ' || coalesce(c.arguments, '{}') || ' -> ' || c.code || coalesce(' HTTP ' || c.http_status, '') || ' in ' || coalesce(c.duration_ms, 0) || ' ms: ' || substr(coalesce(c.result, ''), 1, 200),
      NULL, NULL, NULL, NULL, NULL, NULL
    FROM tool_calls c
  )
  ORDER BY call_id, seq, sub;
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Bring the database to `target` (default: the latest) inside one IMMEDIATE transaction, so
 * concurrent processes opening a fresh file migrate it exactly once. Refuses foreign files and
 * files written by a newer voicebot.
 */
export function migrate(db: BetterSqlite3.Database, target: number = SCHEMA_VERSION): void {
  const version = userVersion(db);
  checkIdentity(db, version);
  if (version >= target) return;
  db.transaction(() => {
    const current = userVersion(db);
    checkIdentity(db, current);
    for (let next = current + 1; next <= target; next++) db.exec(MIGRATIONS[next - 1] as string);
    if (current === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${target}`);
  }).immediate();
}

/** Current `user_version`. */
export function userVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkIdentity(db: BetterSqlite3.Database, version: number): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const foreign = appId !== APPLICATION_ID && (appId !== 0 || version !== 0 || hasTables(db));
  if (foreign) {
    throw new VoicebotError('DB_NOT_CALL_LOG', `${db.name} is an SQLite file but not a voicebot call log (application_id ${appId}, user_version ${version}). Fix: point db_path at a new file`);
  }
  if (version > SCHEMA_VERSION) {
    throw new VoicebotError('DB_SCHEMA_NEWER', `${db.name} has call log schema v${version} but this voicebot knows only up to v${SCHEMA_VERSION}. Fix: upgrade voicebot on this host (migrations only go forward)`);
  }
}

function hasTables(db: BetterSqlite3.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type IN ('table', 'view') LIMIT 1").get() !== undefined;
}
