/**
 * The one error type voicebot throws on purpose. `code` is stable (tests, logs and the dialplan
 * status depend on it). Errors become exit codes and VOICEBOT_STATUS in exactly one place: the
 * composition root.
 */
export class VoicebotError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VoicebotError';
    this.code = code;
  }
}

/** Bad configuration: names the file, line and key, and says how to fix it. */
export class ConfigError extends VoicebotError {
  readonly file: string;
  readonly line: number | undefined;
  readonly key: string | undefined;

  constructor(
    code: string,
    where: { file: string; line?: number; key?: string },
    problem: string,
    fix: string,
  ) {
    const at = where.line === undefined ? where.file : `${where.file}:${where.line}`;
    const key = where.key === undefined ? '' : ` key '${where.key}':`;
    super(code, `${at}:${key} ${problem}. Fix: ${fix}`);
    this.name = 'ConfigError';
    this.file = where.file;
    this.line = where.line;
    this.key = where.key;
  }
}

/** A usage error on the command line (exit code 2, message on stderr). */
export class UsageError extends VoicebotError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/** Narrow an unknown thrown value to a message without losing non-Error throws. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The stable code of any thrown value: ours, Node's (`ENOENT`), or `UNKNOWN`. */
export function errorCode(error: unknown): string {
  if (error instanceof VoicebotError) return error.code;
  if (error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return 'UNKNOWN';
}
