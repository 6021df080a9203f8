import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { HANGUP_MODES } from '../../src/simulate/fake-asterisk.ts';
import { nodeBin } from '../support/paths.ts';
import { callerTimeline, startFaultCall } from './support/call.ts';

/**
 * A caller who hangs up while voicebot is still starting. ESM evaluates every static import before
 * a module's body, so main.ts imports only the SIGHUP latch statically, installs it, then loads the
 * rest: from then on a hangup is remembered and handled, never Node's default (death by signal).
 * Node's own bootstrap comes before any code of ours and cannot be covered; its length depends on
 * the machine's load, so the hangups are placed after a bootstrap measured just before.
 */
function bootstrapMs(): number {
  let worst = 0;
  for (let i = 0; i < 3; i += 1) {
    const started = performance.now();
    spawnSync(nodeBin, ['--input-type=module', '-e', 'process.stdout.write("x")'], { encoding: 'utf8' });
    worst = Math.max(worst, performance.now() - started);
  }
  return worst;
}

test('SIGHUP soon after Node\'s own bootstrap (while the CLI still loads): the process still exits 0', async () => {
  const caller = callerTimeline([500]);
  const outcomes: string[] = [];
  for (const offsetMs of [40, 70, 100, 130, 160]) {
    const atMs = Math.round(bootstrapMs() + offsetMs);
    const run = await startFaultCall({ callerAudio: caller, ollamaHost: 'http://127.0.0.1:9', hangupMode: HANGUP_MODES.default, events: [{ action: 'hangup', atMs }] });
    const result = await run.finished;
    outcomes.push(`${atMs} ms: exit ${String(result.exitCode)} ${result.exitSignal ?? ''}`.trim());
  }
  assert.deepEqual(outcomes.filter((line) => !line.endsWith('exit 0')), [], outcomes.join('; '));
});
