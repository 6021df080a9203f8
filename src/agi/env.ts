import { AgiError } from './errors.ts';

/** The `agi_` block Asterisk writes on stdin before the first command, typed. */
export interface AgiEnv {
  request: string;
  channel: string;
  language: string;
  type: string;
  uniqueId: string;
  version: string;
  callerId: string;
  callerIdName: string;
  callingPres: string;
  dnid: string;
  rdnis: string;
  context: string;
  extension: string;
  priority: string;
  /** `agi_enhanced: 1.0` means EAGI (caller audio on fd 3); `0.0` is plain AGI. */
  enhanced: boolean;
  accountCode: string;
  threadId: string;
  /** `agi_arg_1..N` in order: `EAGI(voicebot,sales)` gives `['sales']`. */
  args: string[];
  /** Every key exactly as received (including ones this version does not know). */
  raw: Readonly<Record<string, string>>;
}

/** Longest env block accepted; a real one is < 1 KiB. */
export const MAX_ENV_LINES = 256;

/**
 * Parse the env block lines (without the terminating empty line). Each line is `key: value`,
 * split on the first `": "` only; values may be empty (`agi_accountcode: `). Throws
 * `AGI_ENV_MALFORMED` for a line without `": "`/`":"` or a key that is not `agi_*`.
 */
export function parseAgiEnv(lines: readonly string[]): AgiEnv {
  const raw: Record<string, string> = {};
  for (const line of lines) {
    let separator = line.indexOf(': ');
    let valueStart = separator + 2;
    if (separator === -1 && line.endsWith(':')) {
      separator = line.length - 1;
      valueStart = line.length;
    }
    if (separator <= 0) {
      throw new AgiError('AGI_ENV_MALFORMED', `env block line is not "key: value": ${JSON.stringify(line.slice(0, 200))}; is this program started by Asterisk's EAGI()?`);
    }
    const key = line.slice(0, separator);
    if (!/^agi_[a-z0-9_]+$/i.test(key)) {
      throw new AgiError('AGI_ENV_MALFORMED', `env block key ${JSON.stringify(key.slice(0, 100))} is not an agi_ variable; is this program started by Asterisk's EAGI()?`);
    }
    raw[key] = line.slice(valueStart);
  }
  if (raw['agi_request'] === undefined) {
    throw new AgiError('AGI_ENV_MALFORMED', 'env block has no agi_request line; is this program started by Asterisk\'s EAGI()?');
  }
  const args: string[] = [];
  for (let n = 1; raw[`agi_arg_${n}`] !== undefined; n += 1) args.push(raw[`agi_arg_${n}`] ?? '');
  const get = (key: string) => raw[`agi_${key}`] ?? '';
  return {
    request: get('request'),
    channel: get('channel'),
    language: get('language'),
    type: get('type'),
    uniqueId: get('uniqueid'),
    version: get('version'),
    callerId: get('callerid'),
    callerIdName: get('calleridname'),
    callingPres: get('callingpres'),
    dnid: get('dnid'),
    rdnis: get('rdnis'),
    context: get('context'),
    extension: get('extension'),
    priority: get('priority'),
    enhanced: Number.parseFloat(get('enhanced')) >= 1,
    accountCode: get('accountcode'),
    threadId: get('threadid'),
    args,
    raw,
  };
}

/**
 * Collects env block lines until the empty line. `push` returns the parsed env once the block is
 * complete, undefined while more lines are needed; too many lines throw `AGI_ENV_MALFORMED`.
 */
export class EnvBlockCollector {
  readonly #lines: string[] = [];
  #done = false;

  get done(): boolean {
    return this.#done;
  }

  push(line: string): AgiEnv | undefined {
    if (this.#done) throw new AgiError('AGI_ENV_MALFORMED', 'env block already complete');
    if (line === '') {
      this.#done = true;
      return parseAgiEnv(this.#lines);
    }
    if (this.#lines.length >= MAX_ENV_LINES) {
      throw new AgiError('AGI_ENV_MALFORMED', `env block longer than ${MAX_ENV_LINES} lines without the closing empty line`);
    }
    this.#lines.push(line);
    return undefined;
  }

  /** The lines seen so far (for the error when stdin ends before the empty line). */
  get linesSoFar(): number {
    return this.#lines.length;
  }
}

/** Format an env block exactly as Asterisk writes it (used by the fake Asterisk). */
export function formatAgiEnv(values: readonly (readonly [string, string])[]): string {
  return `${values.map(([key, value]) => `${key}: ${value}\n`).join('')}\n`;
}
