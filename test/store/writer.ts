/**
 * A call process as far as the store sees it: open a call, write turns, close. Spawned by the
 * store tests as a real process. Argument: JSON {@link WriterArgs}. stdout: `turn <seq>` after
 * each turn is committed, then `done <stats json>`. The store logs to stderr.
 */
import { Logger } from '../../src/log.ts';
import { CallStore } from '../../src/store/call-store.ts';

export interface WriterArgs {
  path: string;
  writer: number;
  turns: number;
  /** Pause between turns (0: as fast as possible). */
  delayMs?: number;
  busyTimeoutMs?: number;
  retryMaxMs?: number;
  /** Stop after the last turn without closing the call, and wait to be killed. */
  hang?: boolean;
  /** Do not wait for pending writes: `process.exit(0)` right after the last turn. */
  exitAbruptly?: boolean;
  /** Pad each turn's text to about this many bytes. */
  textBytes?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as WriterArgs;
const store = new CallStore({
  path: args.path,
  logger: new Logger({ stderr: true, level: 'warn' }),
  busyTimeoutMs: args.busyTimeoutMs ?? 100,
  retryMaxMs: args.retryMaxMs ?? 60_000,
});

const callId = store.openCall({
  uniqueid: `${process.pid}.${args.writer}`,
  channel: `PJSIP/test-${args.writer}`,
  callerNumber: `+1555000${String(args.writer).padStart(4, '0')}`,
  profile: 'test',
});
store.markAnswered(callId);
process.stdout.write(`call ${callId}\n`);

for (let index = 1; index <= args.turns; index++) {
  const role = index % 2 === 1 ? 'caller' : 'bot';
  const seq = store.addTurn(callId, {
    role,
    text: `writer ${args.writer} turn ${index}`.padEnd(args.textBytes ?? 0, '.'),
    sttMs: role === 'caller' ? 100 + index : undefined,
    llmFirstTokenMs: role === 'bot' ? 200 + index : undefined,
    audioPath: role === 'bot' ? `/tmp/voicebot-test-audio/${args.writer}-${index}.sln` : undefined,
  });
  if (args.exitAbruptly !== true && store.stats.pending > 0) await store.flush(60_000);
  process.stdout.write(`${args.exitAbruptly === true ? 'queued' : 'turn'} ${seq}\n`);
  if (args.delayMs !== undefined && args.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, args.delayMs));
}

if (args.exitAbruptly === true) {
  process.stdout.write(`pending ${store.stats.pending}\n`, () => process.exit(0));
} else if (args.hang === true) {
  setInterval(() => {}, 1000);
} else {
  store.addEvent(callId, 'test', `writer ${args.writer} done`);
  store.closeCall(callId, { endReason: 'hangup', status: 'OK' });
  const stats = await store.close(30_000);
  process.stdout.write(`done ${JSON.stringify(stats)}\n`);
}
