import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Subsystem tags; grep the log for `[LLM]` to follow one stage. */
export type LogTag = 'CALL' | 'AGI' | 'STT' | 'LLM' | 'TTS' | 'PLAY' | 'DB' | 'CLI' | 'CONFIG' | 'NATIVE';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Field names that carry caller data; replaced by their length when redaction is on. */
const CALLER_DATA_FIELDS = new Set(['text', 'transcript', 'reply', 'playedText', 'caller', 'callerName', 'callerNumber']);
const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogRecord {
  timeMs: number;
  level: LogLevel;
  tag: LogTag;
  callId: string | undefined;
  message: string;
  fields: LogFields;
}

export interface LoggerOptions {
  /** Append-only log file; created with its folder. Undefined: no file. */
  filePath?: string | undefined;
  /** Also write to stderr (never stdout: stdout belongs to Asterisk during a call). */
  stderr?: boolean;
  level?: LogLevel;
  redactTranscripts?: boolean;
  callId?: string;
}

/**
 * Line-oriented logger: `time LEVEL [TAG] callId message key=value ...`.
 * Writes are synchronous so a crash never loses the line that explains it.
 */
export class Logger {
  readonly #out: { fd: number | undefined; sinks: Set<(record: LogRecord) => void> };
  readonly #options: Required<Pick<LoggerOptions, 'stderr' | 'level' | 'redactTranscripts'>> & LoggerOptions;

  constructor(options: LoggerOptions = {}, shared?: Logger) {
    this.#options = { stderr: false, level: 'info', redactTranscripts: false, ...options };
    this.#out = shared === undefined
      ? { fd: undefined, sinks: new Set() }
      : shared.#out;
    if (shared === undefined && options.filePath !== undefined) this.#out.fd = openLogFile(options.filePath, this);
  }

  /** The same logger writing under another call id (shares the file and sinks). */
  withCallId(callId: string): Logger {
    return new Logger({ ...this.#options, callId }, this);
  }

  /** Observe every record at or above the level (e.g. to mirror to Asterisk VERBOSE). */
  addSink(sink: (record: LogRecord) => void): () => void {
    this.#out.sinks.add(sink);
    return () => this.#out.sinks.delete(sink);
  }

  debug(tag: LogTag, message: string, fields: LogFields = {}): void { this.#write('debug', tag, message, fields); }
  info(tag: LogTag, message: string, fields: LogFields = {}): void { this.#write('info', tag, message, fields); }
  warn(tag: LogTag, message: string, fields: LogFields = {}): void { this.#write('warn', tag, message, fields); }
  error(tag: LogTag, message: string, fields: LogFields = {}): void { this.#write('error', tag, message, fields); }

  close(): void {
    if (this.#out.fd !== undefined) closeSync(this.#out.fd);
    this.#out.fd = undefined;
  }

  #write(level: LogLevel, tag: LogTag, message: string, fields: LogFields): void {
    if (LEVEL_RANK[level] < LEVEL_RANK[this.#options.level]) return;
    const record: LogRecord = {
      timeMs: Date.now(),
      level,
      tag,
      callId: this.#options.callId,
      message,
      fields: this.#options.redactTranscripts ? redactFields(fields) : fields,
    };
    const line = formatRecord(record);
    if (this.#out.fd !== undefined) {
      try {
        writeSync(this.#out.fd, line);
      } catch {
        // A full disk must not end the call; stderr below still gets the line when enabled.
      }
    }
    if (this.#options.stderr) {
      try {
        writeSync(2, line);
      } catch {
        // stderr closed: nothing more we can do without touching stdout.
      }
    }
    for (const sink of this.#out.sinks) sink(record);
  }
}

function openLogFile(filePath: string, logger: Logger): number | undefined {
  try {
    mkdirSync(dirname(filePath), { recursive: true, mode: 0o750 });
    return openSync(filePath, 'a', 0o640);
  } catch (error) {
    queueMicrotask(() => logger.warn('CLI', 'cannot open log file; logging to stderr only', {
      file: filePath,
      error: error instanceof Error ? error.message : String(error),
    }));
    return undefined;
  }
}

export function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = CALLER_DATA_FIELDS.has(key) && typeof value === 'string' ? `[redacted ${value.length} chars]` : value;
  }
  return out;
}

export function formatRecord(record: LogRecord): string {
  const parts = [new Date(record.timeMs).toISOString(), record.level.toUpperCase(), `[${record.tag}]`];
  if (record.callId !== undefined) parts.push(record.callId);
  parts.push(record.message);
  for (const [key, value] of Object.entries(record.fields)) {
    if (value === undefined) continue;
    parts.push(`${key}=${formatValue(value)}`);
  }
  return `${parts.join(' ')}\n`;
}

function formatValue(value: string | number | boolean | null): string {
  if (typeof value !== 'string') return String(value);
  return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
}

/** A logger that drops everything; for tests and library use. */
export const silentLogger = new Logger({ stderr: false, level: 'error' });
