import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Subsystem tags; grep the log for `[LLM]` to follow one stage. */
export type LogTag = 'CALL' | 'AGI' | 'ARI' | 'STT' | 'LLM' | 'TTS' | 'PLAY' | 'DB' | 'CLI' | 'CONFIG' | 'NATIVE' | 'TOOL' | 'HOOK';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Field names that carry caller data; replaced by their length when redaction is on. */
const CALLER_DATA_FIELDS = new Set(['text', 'transcript', 'reply', 'playedText', 'caller', 'callerName', 'callerNumber', 'arguments', 'result']);
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
  /**
   * Where lines go when `filePath` is unusable (a folder, a device, a FIFO, unwritable, a full
   * disk): a file beside the call log, so a refusal still reaches the admin.
   */
  fallbackFilePath?: string | undefined;
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
  readonly #out: { fd: number | undefined; sinks: Set<(record: LogRecord) => void>; fallback: string | undefined };
  readonly #options: Required<Pick<LoggerOptions, 'stderr' | 'level' | 'redactTranscripts'>> & LoggerOptions;

  constructor(options: LoggerOptions = {}, shared?: Logger) {
    this.#options = { stderr: false, level: 'info', redactTranscripts: false, ...options };
    this.#out = shared === undefined
      ? { fd: undefined, sinks: new Set(), fallback: options.fallbackFilePath }
      : shared.#out;
    if (shared === undefined && options.filePath !== undefined) this.#out.fd = this.#open(options.filePath);
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

  #open(filePath: string): number | undefined {
    try {
      return openLogFile(filePath);
    } catch (error) {
      const fallback = this.#out.fallback;
      this.#out.fallback = undefined;
      const fd = fallback === undefined || fallback === filePath ? undefined : tryOpen(fallback);
      queueMicrotask(() => this.warn('CLI', fd === undefined ? 'cannot open the log file; logging to stderr only' : 'cannot open the log file; logging to the fallback file', {
        file: filePath, error: errorText(error), fallback: fd === undefined ? undefined : fallback,
      }));
      return fd;
    }
  }

  #switchToFallback(line: string, why: string): void {
    const fallback = this.#out.fallback;
    this.#out.fallback = undefined;
    const fd = fallback === undefined ? undefined : tryOpen(fallback);
    if (fd === undefined) return;
    this.#out.fd = fd;
    try {
      writeSync(fd, `${formatRecord({ timeMs: Date.now(), level: 'warn', tag: 'CLI', callId: this.#options.callId, message: `${why}; logging here instead`, fields: {} })}${line}`);
    } catch {
      // Nothing else to write to without touching stdout.
    }
  }

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
      } catch (error) {
        // A full disk must not end the call: the line goes to the fallback file (and stderr below when enabled).
        this.#switchToFallback(line, `writing the log file failed (${errorText(error)})`);
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

/** The one device a log may go to: an explicit "discard everything". */
export const DISCARD_LOG = '/dev/null';

/**
 * Open for appending a path that is a regular file, absent, or /dev/null; never open() a FIFO or
 * another device (it can block, or swallow lines like /dev/full).
 */
function openLogFile(filePath: string): number {
  const stat = statSync(filePath, { throwIfNoEntry: false });
  if (stat !== undefined && !stat.isFile() && filePath !== DISCARD_LOG) throw new Error(`${filePath} is not a regular file`);
  mkdirSync(dirname(filePath), { recursive: true, mode: 0o750 });
  return openSync(filePath, 'a', 0o640);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function tryOpen(filePath: string): number | undefined {
  try {
    return openLogFile(filePath);
  } catch {
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
