import { AgiError } from './errors.ts';

/**
 * How a running command reacts when another command is written before it replies (measured on
 * Asterisk 22, testdata/asterisk-22/README.md "Request/response timing rules"):
 * - `silent`: playback stops at once and the command sends NO reply (STREAM FILE, GET DATA, GET OPTION).
 * - `answers`: the command replies `200 result=1` at once, then the new one is answered (WAIT FOR DIGIT).
 * - `queues`: the new command waits until this one has replied (everything else).
 */
export type InterruptBehaviour = 'silent' | 'answers' | 'queues';

export interface CommandSpec {
  /** Allowed after hangup (`agi show commands`, column Dead). */
  deadCapable: boolean;
  interrupt: InterruptBehaviour;
}

/** The commands voicebot sends, keyed by their upper-case name. */
export const COMMANDS = {
  'ANSWER': { deadCapable: false, interrupt: 'queues' },
  'HANGUP': { deadCapable: false, interrupt: 'queues' },
  'VERBOSE': { deadCapable: true, interrupt: 'queues' },
  'GET VARIABLE': { deadCapable: true, interrupt: 'queues' },
  'GET FULL VARIABLE': { deadCapable: true, interrupt: 'queues' },
  'SET VARIABLE': { deadCapable: true, interrupt: 'queues' },
  'STREAM FILE': { deadCapable: false, interrupt: 'silent' },
  'GET DATA': { deadCapable: false, interrupt: 'silent' },
  'GET OPTION': { deadCapable: false, interrupt: 'silent' },
  'CONTROL STREAM FILE': { deadCapable: false, interrupt: 'queues' },
  'WAIT FOR DIGIT': { deadCapable: false, interrupt: 'answers' },
  'NOOP': { deadCapable: true, interrupt: 'queues' },
  'EXEC': { deadCapable: true, interrupt: 'queues' },
  'CHANNEL STATUS': { deadCapable: false, interrupt: 'queues' },
  'SET AUTOHANGUP': { deadCapable: false, interrupt: 'queues' },
  'DATABASE GET': { deadCapable: true, interrupt: 'queues' },
  'DATABASE PUT': { deadCapable: true, interrupt: 'queues' },
  'DATABASE DEL': { deadCapable: true, interrupt: 'queues' },
  'RECORD FILE': { deadCapable: false, interrupt: 'queues' },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

const UNKNOWN_SPEC: CommandSpec = { deadCapable: false, interrupt: 'queues' };

/** The spec of a raw command line, matching the longest known name (case-insensitive). */
export function specOf(line: string): CommandSpec {
  const upper = line.trimStart().toUpperCase();
  let best: CommandSpec = UNKNOWN_SPEC;
  let bestLength = 0;
  for (const [name, spec] of Object.entries(COMMANDS)) {
    if (name.length > bestLength && (upper === name || upper.startsWith(`${name} `))) {
      best = spec;
      bestLength = name.length;
    }
  }
  return best;
}

/**
 * Quote one argument the way res_agi's parse_args reads it: inside double quotes, with `\` and `"`
 * escaped by a backslash. The empty string becomes `""` (an empty argument, e.g. no escape digits).
 */
export function quoteArg(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

/** An argument passed through as is: it must be a single word without quotes or backslashes. */
export function bareArg(value: string | number): string {
  const text = String(value);
  if (text === '' || /[\s"\\]/.test(text)) return quoteArg(text);
  return text;
}

/**
 * Build one command line (without the trailing newline). Refuses CR/LF anywhere: Asterisk would
 * read them as part of an argument or as a second command.
 */
export function buildCommand(name: CommandName, ...args: string[]): string {
  const line = args.length === 0 ? name : `${name} ${args.join(' ')}`;
  assertSingleLine(line);
  return line;
}

export function assertSingleLine(line: string): void {
  if (/[\r\n]/.test(line)) {
    throw new AgiError('AGI_BAD_ARGUMENT', `refusing to send an AGI command containing CR or LF: ${JSON.stringify(line.slice(0, 120))}`);
  }
}
