import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { testCallConfig } from '../support/call-config.ts';
import { mainTs, nodeBin } from '../support/paths.ts';

/**
 * A caller who hangs up while voicebot is still starting. ESM evaluates every static import before
 * a module's body, so main.ts imports only the SIGHUP latch statically, installs it, then loads the
 * rest: from then on a hangup is remembered and handled, never Node's default (death by signal).
 * Node's own bootstrap comes before any code of ours and cannot be covered, and its length depends
 * on the load, so the test waits until the kernel shows a SIGHUP handler (SigCgt in
 * /proc/<pid>/status) and hangs up at once, while the rest of the CLI is still loading.
 */
const SIGHUP_BIT = 1n << 0n; // signal 1 is bit 0 of the mask

function sighupCaught(pid: number): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & SIGHUP_BIT) !== 0n;
  } catch {
    return false;
  }
}

const ENV_BLOCK = 'agi_request: voicebot\nagi_channel: Local/s@test-00000000;1\nagi_uniqueid: 1.0\nagi_enhanced: 1.0\nagi_callerid: 5551234\n\n';

async function hangUpRightAfterHandler(): Promise<{ code: number | null; signal: NodeJS.Signals | null; handlerAfterMs: number }> {
  // A config of its own: a call refused or cut short still writes its row, cache and log somewhere.
  const { configPath, logFile } = testCallConfig();
  const started = performance.now();
  const child = spawn(nodeBin, [mainTs], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'], AST_AGI_DIR: '/var/lib/asterisk/agi-bin', VOICEBOT_CONFIG: configPath, VOICEBOT_LOG_FILE: logFile, VOICEBOT_LOG_STDERR: 'no' },
  });
  child.stdout.resume();
  child.stderr.resume();
  child.stdin.on('error', () => {});
  child.stdin.write(ENV_BLOCK);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let handlerAfterMs = Number.NaN;
  const pid = child.pid ?? 0;
  while (performance.now() - started < 10_000 && child.exitCode === null && child.signalCode === null) {
    if (sighupCaught(pid)) {
      handlerAfterMs = performance.now() - started;
      child.kill('SIGHUP');
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const result = await exited;
  clearTimeout(timer);
  return { ...result, handlerAfterMs };
}

test('a SIGHUP right after the handler is in (the CLI still loading) is survived: exit 0', async (t) => {
  const outcomes: string[] = [];
  for (let run = 0; run < 5; run += 1) {
    const result = await hangUpRightAfterHandler();
    assert.ok(Number.isFinite(result.handlerAfterMs), 'a SIGHUP handler was installed');
    outcomes.push(`handler after ${Math.round(result.handlerAfterMs)} ms: exit ${String(result.code)} ${result.signal ?? ''}`.trim());
  }
  t.diagnostic(outcomes.join('; '));
  assert.deepEqual(outcomes.filter((line) => !line.endsWith('exit 0')), [], outcomes.join('; '));
});

test('the SIGHUP handler is in before the CLI module graph starts loading', () => {
  // A module hook reports whether a SIGHUP listener exists when program.ts (the CLI, commander and
  // every subcommand behind it) is loaded: with a static import it would load before main.ts runs.
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-startup-'));
  const hook = join(dir, 'hook.mjs');
  writeFileSync(hook, `import { registerHooks } from 'node:module';
registerHooks({ load(url, context, next) {
  if (url.endsWith('/src/cli/program.ts')) process.stderr.write('SIGHUP listeners when program.ts loads: ' + process.listenerCount('SIGHUP') + '\\n');
  return next(url, context);
} });
`);
  // --help: --version alone no longer loads the CLI graph at all.
  const result = spawnSync(nodeBin, ['--import', hook, mainTs, '--help'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /SIGHUP listeners when program\.ts loads: 1/);
});
