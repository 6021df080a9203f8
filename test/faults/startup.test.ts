import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HANGUP_MODES } from '../../src/simulate/fake-asterisk.ts';
import { callerTimeline, startFaultCall } from './support/call.ts';

/**
 * A caller who hangs up while voicebot is still starting. ESM evaluates every static import before
 * a module's body, so main.ts imports only the SIGHUP latch statically, installs it, then loads the
 * rest: from then on a hangup is remembered and handled, never Node's default (death by signal).
 */

test('SIGHUP 90-210 ms after exec (after Node\'s own bootstrap): the process still exits 0', async () => {
  const caller = callerTimeline([500]);
  const outcomes: string[] = [];
  for (const atMs of [90, 120, 150, 180, 210]) {
    const run = await startFaultCall({ callerAudio: caller, ollamaHost: 'http://127.0.0.1:9', hangupMode: HANGUP_MODES.default, events: [{ action: 'hangup', atMs }] });
    const result = await run.finished;
    outcomes.push(`${atMs} ms: exit ${String(result.exitCode)} ${result.exitSignal ?? ''}`.trim());
  }
  assert.deepEqual(outcomes.filter((line) => !line.endsWith('exit 0')), [], outcomes.join('; '));
});
