import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HANGUP_MODES } from '../../src/simulate/fake-asterisk.ts';
import { callerTimeline, startFaultCall } from './support/call.ts';

/**
 * A caller who hangs up while voicebot is still starting. main.ts installs the SIGHUP handler in
 * its body, but ESM evaluates every static import first (program.ts and the whole CLI graph), so
 * for the first ~60-110 ms (longer under load) Node's default action applies and the process dies
 * by signal. Nothing is lost (no row is open yet), but Asterisk logs a killed AGI and the exit is
 * not the clean 0 DESIGN §2 asks for. Fix: main.ts imports only hangup-signal.ts statically, calls
 * install(), then `await import('./program.ts')` (measured: the window shrinks to Node's own
 * bootstrap, ~40 ms from source, less in the single executable).
 */
const BUG = 'BUG src/cli/main.ts: SIGHUP handler installed only after the static import graph loads; early SIGHUP kills the process';

test('SIGHUP 90-210 ms after exec (after Node\'s own bootstrap): the process still exits 0', { todo: BUG }, async () => {
  const caller = callerTimeline([500]);
  const outcomes: string[] = [];
  for (const atMs of [90, 120, 150, 180, 210]) {
    const run = await startFaultCall({ callerAudio: caller, ollamaHost: 'http://127.0.0.1:9', hangupMode: HANGUP_MODES.default, events: [{ action: 'hangup', atMs }] });
    const result = await run.finished;
    outcomes.push(`${atMs} ms: exit ${String(result.exitCode)} ${result.exitSignal ?? ''}`.trim());
  }
  assert.deepEqual(outcomes.filter((line) => !line.endsWith('exit 0')), [], outcomes.join('; '));
});
