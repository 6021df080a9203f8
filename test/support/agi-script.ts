// A small EAGI program built on src/agi, run by the fake Asterisk in tests:
//   node agi-script.ts idle|wait|stream [soundPath]
//   node agi-script.ts replay <plan.json> <results.json> [slin|slin16]
// It behaves like the real call entry on hangup: whatever the source, it exits 0 at once.
import { readFileSync, writeFileSync } from 'node:fs';
import { hangupSignal } from '../../src/runtime/hangup-signal.ts';

hangupSignal.install();

const { openAgiSession } = await import('../../src/agi/session.ts');
const { untilHangup } = await import('../../src/agi/run-until-hangup.ts');
const { AgiHangupError, AgiError } = await import('../../src/agi/errors.ts');
const { Logger } = await import('../../src/log.ts');

export type PlanStep = { cmd: string } | { overlap: { cmd1: string; cmd2: string; afterMs: number } } | { pauseMs: number };
export interface StepResult {
  cmd: string;
  reply: string[] | null;
  interrupted: boolean;
  error: string | null;
  hangupCause: string | null;
}

const [mode = 'wait', first, second, third] = process.argv.slice(2);
const logger = new Logger({ stderr: true, level: 'info' });
const session = await openAgiSession({
  input: process.stdin, output: process.stdout, audio: 3, hangupSource: hangupSignal, logger,
  audioFormat: mode === 'replay' ? (third === 'slin16' ? 'slin16' : 'slin') : 'auto',
});
const drain = (async () => { for await (const _ of session.audio ?? []) { /* keep fd 3 flowing */ } })();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function outcomeOf(work: Promise<{ reply: { lines: readonly string[] } | undefined; interrupted: boolean }>, cmd: string): Promise<StepResult> {
  try {
    const outcome = await work;
    return { cmd, reply: outcome.reply === undefined ? null : [...outcome.reply.lines], interrupted: outcome.interrupted, error: null, hangupCause: null };
  } catch (error) {
    const code = error instanceof AgiHangupError || error instanceof AgiError ? error.code : String(error);
    return { cmd, reply: null, interrupted: false, error: code, hangupCause: error instanceof AgiHangupError ? error.hangupCause : null };
  }
}

try {
  if (mode === 'replay') {
    const plan = JSON.parse(readFileSync(first ?? '', 'utf8')) as PlanStep[];
    const results: StepResult[] = [];
    for (const step of plan) {
      if ('pauseMs' in step) {
        await sleep(step.pauseMs);
      } else if ('cmd' in step) {
        results.push(await outcomeOf(session.channel.send(step.cmd), step.cmd));
      } else {
        const controller = new AbortController();
        const running = outcomeOf(session.channel.send(step.overlap.cmd1, { signal: controller.signal }), step.overlap.cmd1);
        await sleep(step.overlap.afterMs);
        controller.abort();
        const next = outcomeOf(session.channel.send(step.overlap.cmd2), step.overlap.cmd2);
        results.push(await running, await next);
      }
    }
    writeFileSync(second ?? '', JSON.stringify(results));
  } else {
    const { agi, hangup } = session;
    await untilHangup(agi.answer(), hangup);
    for (;;) {
      if (mode === 'idle') {
        await untilHangup(sleep(150), hangup);
        await untilHangup(agi.channelStatus(), hangup);
      } else if (mode === 'stream') {
        await untilHangup(agi.streamFile(first ?? 'missing'), hangup);
      } else {
        await untilHangup(agi.waitForDigit(5000), hangup);
      }
    }
  }
} catch (error) {
  if (!(error instanceof AgiHangupError)) logger.error('AGI', 'script failed', { error: String(error) });
  else logger.info('AGI', 'hangup seen', { cause: error.hangupCause });
} finally {
  session.close();
  await drain;
  // As the real entry does: a natural exit would let a late SIGHUP kill the process.
  process.exit(0);
}
