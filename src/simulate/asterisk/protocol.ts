/** Exact reply texts of Asterisk 22.10.1 (testdata/asterisk-22/commands). */
export const REPLY_INVALID = '510 Invalid or unknown command';
export const REPLY_DEAD = '511 Command Not Permitted on a dead channel or intercept routine';
const USAGE_HEAD = '520-Invalid command syntax.  Proper usage follows:';
const USAGE_TAIL = '520 End of proper usage.';

const USAGE_TEXT: Record<string, readonly string[]> = {
  'STREAM FILE': [
    'Send the given file, allowing playback to be interrupted by the given digits, if any. Returns <literal>0</literal> if playback completes without a digit being pressed, or the ASCII numerical value of the digit if one was pressed, or <literal>-1</literal> on error or if the channel was disconnected. If musiconhold is playing before calling stream file it will be automatically stopped and will not be restarted after completion.',
    'It sets the following channel variables upon completion:',
    '<variable>PLAYBACKSTATUS</variable>: The status of the playback attempt as a text string.',
    '    <value>SUCCESS</value>',
    '    <value>FAILED</value>',
  ],
  'WAIT FOR DIGIT': [
    'Waits up to <replaceable>timeout</replaceable> milliseconds for channel to receive a DTMF digit. Returns <literal>-1</literal> on channel failure, <literal>0</literal> if no digit is received in the timeout, or the numerical value of the ascii of the digit if one is received. Use <literal>-1</literal> for the <replaceable>timeout</replaceable> value if you desire the call to block indefinitely.',
  ],
  'GET VARIABLE': [
    'Returns <literal>0</literal> if <replaceable>variablename</replaceable> is not set. Returns <literal>1</literal> if <replaceable>variablename</replaceable> is set and returns the variable in parentheses.',
    'Example return code: 200 result=1 (testvariable)',
  ],
  'SET VARIABLE': ['Sets a variable to the current channel.'],
};

/** The multi-line 520 usage reply for a command (a generic line for commands not captured). */
export function usageReply(command: string): string[] {
  const text = USAGE_TEXT[command] ?? [`Usage: ${command.toLowerCase()} (see 'agi show commands')`];
  return [USAGE_HEAD, ...text, USAGE_TAIL];
}

/**
 * Split a command line into arguments exactly as res_agi.c parse_args does: spaces and tabs
 * separate words, double quotes group them (and start a word, possibly empty), a backslash makes
 * the next character literal. `\r` is an ordinary character.
 */
export function parseArgs(line: string, maxArgs = 128): string[] {
  const argv: string[] = [];
  let current: string | undefined;
  let quoted = false;
  let escaped = false;
  let whitespace = true;
  const startWord = () => {
    if (current !== undefined) argv.push(current);
    current = '';
  };
  for (const char of line) {
    if (char === '"' && !escaped) {
      quoted = !quoted;
      if (quoted && whitespace) {
        startWord();
        whitespace = false;
      }
      continue;
    }
    if ((char === ' ' || char === '\t') && !quoted && !escaped) {
      whitespace = true;
      continue;
    }
    if (char === '\\' && !escaped) {
      escaped = true;
      continue;
    }
    if (whitespace) {
      if (argv.length + (current === undefined ? 0 : 1) >= maxArgs - 1) break;
      startWord();
      whitespace = false;
    }
    current = `${current ?? ''}${char}`;
    escaped = false;
  }
  if (current !== undefined) argv.push(current);
  return argv;
}

/** Command words Asterisk knows, longest first so `GET FULL VARIABLE` wins over `GET`. */
export const KNOWN_COMMANDS = [
  'ANSWER', 'ASYNCAGI BREAK', 'CHANNEL STATUS', 'CONTROL STREAM FILE', 'DATABASE DEL', 'DATABASE DELTREE',
  'DATABASE GET', 'DATABASE PUT', 'EXEC', 'GET DATA', 'GET FULL VARIABLE', 'GET OPTION', 'GET VARIABLE',
  'HANGUP', 'NOOP', 'RECEIVE CHAR', 'RECEIVE TEXT', 'RECORD FILE', 'SAY ALPHA', 'SAY DIGITS', 'SAY NUMBER',
  'SAY PHONETIC', 'SAY DATE', 'SAY TIME', 'SAY DATETIME', 'SEND IMAGE', 'SEND TEXT', 'SET AUTOHANGUP',
  'SET CALLERID', 'SET CONTEXT', 'SET EXTENSION', 'SET MUSIC', 'SET PRIORITY', 'SET VARIABLE', 'STREAM FILE',
  'TDD MODE', 'VERBOSE', 'WAIT FOR DIGIT', 'GOSUB',
].sort((a, b) => b.split(' ').length - a.split(' ').length);

/** Allowed on a dead channel (`agi show commands`, Dead = Yes). */
export const DEAD_CAPABLE = new Set([
  'ASYNCAGI BREAK', 'DATABASE DEL', 'DATABASE DELTREE', 'DATABASE GET', 'DATABASE PUT', 'EXEC',
  'GET FULL VARIABLE', 'GET VARIABLE', 'NOOP', 'SET VARIABLE', 'VERBOSE',
]);

/** Match argv against the command table, case-insensitively word by word. */
export function findCommand(argv: readonly string[]): string | undefined {
  for (const name of KNOWN_COMMANDS) {
    const words = name.split(' ');
    if (words.every((word, i) => argv[i]?.toUpperCase() === word)) return name;
  }
  return undefined;
}

/** Expand `${NAME}` and `${FUNC(args)}` with a lookup, as GET FULL VARIABLE does. */
export function substitute(expression: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < expression.length) {
    if (expression.startsWith('${', i)) {
      let depth = 1;
      let j = i + 2;
      while (j < expression.length && depth > 0) {
        if (expression.startsWith('${', j)) { depth += 1; j += 2; continue; }
        if (expression[j] === '}') depth -= 1;
        j += 1;
      }
      const inner = substitute(expression.slice(i + 2, j - 1), lookup);
      out += lookup(inner) ?? '';
      i = j;
    } else {
      out += expression[i];
      i += 1;
    }
  }
  return out;
}
