import type { CommandContext } from './command-context.ts';
import { execApp } from './exec-apps.ts';
import { controlStreamFile, getDigits, receiveChar, recordFile, streamFile, waitForDigit } from './media-commands.ts';
import { substitute } from './protocol.ts';

/**
 * The command table: runs one known, permitted command (`ctx.name`) and replies as Asterisk 22
 * does. Commands that play, record or wait stay running through `ctx.run` (media-commands.ts).
 */
export function runCommand(ctx: CommandContext): void {
  const { name, argv, variables, database } = ctx;
  const ok = (text: string) => ctx.ok(text);
  const usage = () => ctx.usage();
  const argc = argv.length;
  const arg = (i: number) => argv[i] ?? '';
  switch (name) {
    case 'ANSWER': return ok('result=0');
    case 'HANGUP':
      ok('result=1');
      ctx.hangup('agi-hangup');
      return;
    case 'VERBOSE': return argc < 2 ? usage() : ok('result=1');
    case 'NOOP': case 'ASYNCAGI BREAK': case 'TDD MODE': case 'SET MUSIC': case 'SET CALLERID': case 'GOSUB': case 'SEND TEXT': case 'SEND IMAGE':
      return ok('result=0');
    case 'SET CONTEXT': case 'SET EXTENSION': case 'SET PRIORITY': return argc !== 3 ? usage() : ok('result=0');
    case 'CHANNEL STATUS': return ok('result=6');
    case 'GET VARIABLE': {
      if (argc !== 3) return usage();
      const value = ctx.lookup(arg(2));
      return ok(value === undefined ? 'result=0' : `result=1 (${value})`);
    }
    case 'GET FULL VARIABLE':
      if (argc < 4 || argc > 5) return usage();
      return ok(`result=1 (${substitute(arg(3), (n) => ctx.lookup(n))})`);
    case 'SET VARIABLE':
      if (argc !== 4) return usage();
      variables.set(arg(2), arg(3));
      return ok('result=1');
    case 'DATABASE PUT':
      if (argc !== 5) return usage();
      database.set(`${arg(2)}/${arg(3)}`, arg(4));
      return ok('result=1');
    case 'DATABASE GET': {
      if (argc !== 4) return usage();
      const value = database.get(`${arg(2)}/${arg(3)}`);
      return ok(value === undefined ? 'result=0' : `result=1 (${value})`);
    }
    case 'DATABASE DEL': return argc !== 4 ? usage() : ok(`result=${database.delete(`${arg(2)}/${arg(3)}`) ? 1 : 0}`);
    case 'DATABASE DELTREE': return ok('result=1');
    case 'SAY ALPHA': case 'SAY DIGITS': case 'SAY NUMBER': case 'SAY PHONETIC': case 'SAY DATE': case 'SAY TIME': case 'SAY DATETIME':
      return argc < 4 ? usage() : ok('result=-1');
    case 'RECEIVE TEXT': return ok('result=-1');
    case 'RECEIVE CHAR': return receiveChar(ctx);
    case 'SET AUTOHANGUP':
      if (argc !== 3) return usage();
      ctx.setAutoHangup(Number.parseFloat(arg(2)));
      return ok('result=0');
    case 'WAIT FOR DIGIT': return waitForDigit(ctx);
    case 'STREAM FILE': return streamFile(ctx);
    case 'GET OPTION': case 'GET DATA': return getDigits(ctx);
    case 'CONTROL STREAM FILE': return controlStreamFile(ctx);
    case 'EXEC': return execApp(ctx);
    case 'RECORD FILE': return recordFile(ctx);
    default:
      return ok('result=0');
  }
}
