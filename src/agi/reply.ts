/**
 * AGI replies, parsed by a pure function. Shapes (Asterisk 22, see testdata/asterisk-22):
 * `200 result=N [(data)] [endpos=N]`, `510 Invalid or unknown command`,
 * `511 Command Not Permitted on a dead channel or intercept routine`, and the multi-line usage
 * reply `520-Invalid command syntax.  Proper usage follows:` ... `520 End of proper usage.`.
 */
export type AgiReply =
  | {
    kind: 'success';
    /** The text after `result=` up to the first space: usually an integer, `''` for GET DATA timeout. */
    result: string;
    /** `result` as an integer, or undefined when it is not one. */
    resultNumber: number | undefined;
    /** Text inside the parentheses, if any (`(hello world)` -> `hello world`). */
    data: string | undefined;
    /** `endpos=` in samples of the played file, if present. */
    endpos: number | undefined;
    lines: readonly string[];
  }
  | { kind: 'invalid-command'; lines: readonly string[] }
  | { kind: 'dead-channel'; lines: readonly string[] }
  | { kind: 'usage'; usage: readonly string[]; lines: readonly string[] }
  | { kind: 'malformed'; reason: string; lines: readonly string[] };

const SUCCESS = /^200 result=(\S*)(?: \((.*)\))?(?: endpos=(-?\d+))?$/s;

/** Classify one line: does it start (`520-`) a multi-line reply that continues until `520 `? */
export function startsMultiLineReply(line: string): boolean {
  return line.startsWith('520-');
}

/** True for the last line of a multi-line reply. */
export function endsMultiLineReply(line: string): boolean {
  return line.startsWith('520 ');
}

/**
 * Parse the lines of exactly one reply. Never throws: anything unexpected is `malformed` with a
 * reason, so the caller decides (a malformed reply is a protocol error, not a hangup).
 */
export function parseReply(lines: readonly string[]): AgiReply {
  const first = lines[0];
  if (first === undefined) return { kind: 'malformed', reason: 'empty reply', lines };
  if (lines.length > 1) {
    const last = lines[lines.length - 1] ?? '';
    if (!startsMultiLineReply(first) || !endsMultiLineReply(last)) {
      return { kind: 'malformed', reason: 'multi-line reply not framed by 520- and 520 ', lines };
    }
    return { kind: 'usage', usage: lines.slice(1, -1), lines };
  }
  if (first.startsWith('200 ')) {
    const match = SUCCESS.exec(first);
    if (match === null) return { kind: 'malformed', reason: '200 reply without result=', lines };
    const result = match[1] ?? '';
    const endposText = match[3];
    return {
      kind: 'success',
      result,
      resultNumber: /^-?\d+$/.test(result) ? Number.parseInt(result, 10) : undefined,
      data: match[2],
      endpos: endposText === undefined ? undefined : Number.parseInt(endposText, 10),
      lines,
    };
  }
  if (first === '510' || first.startsWith('510 ')) return { kind: 'invalid-command', lines };
  if (first === '511' || first.startsWith('511 ')) return { kind: 'dead-channel', lines };
  if (endsMultiLineReply(first)) return { kind: 'usage', usage: [], lines };
  return { kind: 'malformed', reason: 'unknown reply code', lines };
}

/**
 * Groups reply lines into whole replies (a `520-` reply spans several lines). `push` returns the
 * lines of a complete reply, or undefined while a multi-line reply is still open.
 */
export class ReplyFramer {
  #open: string[] | undefined;
  /** Upper bound on lines in one multi-line reply; real usage texts are < 20 lines. */
  readonly #maxLines: number;

  constructor(maxLines = 200) {
    this.#maxLines = maxLines;
  }

  get inMultiLine(): boolean {
    return this.#open !== undefined;
  }

  push(line: string): string[] | undefined {
    if (this.#open !== undefined) {
      this.#open.push(line);
      if (endsMultiLineReply(line) || this.#open.length >= this.#maxLines) {
        const done = this.#open;
        this.#open = undefined;
        return done;
      }
      return undefined;
    }
    if (startsMultiLineReply(line)) {
      this.#open = [line];
      return undefined;
    }
    return [line];
  }
}
