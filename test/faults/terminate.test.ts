import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callerTimeline, describeRun, readStore, startFaultCall, type FaultCallResult } from './support/call.ts';
import { logLine } from './support/log-watch.ts';
import { hookedOllama } from './support/ollama.ts';

/** The bound (exit within 1 s of the signal) plus room for a loaded 2-core CI box. */
const EXIT_BOUND_MS = 1000;
const LOAD_SLACK_MS = 500;

const LONG_REPLY = { content: 'Sure. We open at nine on Saturday and we close at five in the evening, every week of the year except on public holidays.', firstTokenDelayMs: 20 };

type Phase = 'starting' | 'greeting' | 'listening' | 'thinking' | 'speaking';

/** A log line (log_level debug) that shows the call is in `phase`; `thinking` is seen by the fake Ollama instead. */
const PHASE_LINE: Record<Exclude<Phase, 'thinking'>, RegExp> = {
  starting: /\[AGI\] .*session started/,
  greeting: /tx line="STREAM FILE \S+\/phrases\//,
  listening: /tx line="(WAIT FOR DIGIT|STREAM FILE \S+\/listen\/)/,
  speaking: /tx line="STREAM FILE \S+\/calls\//,
};

async function terminateIn(phase: Phase, signal: 'SIGTERM' | 'SIGINT'): Promise<{ result: FaultCallResult; exitAfterSignalMs: number }> {
  let signalAtMs = Number.NaN;
  let send: () => void = () => {};
  const ollama = await hookedOllama(async () => {
    if (phase !== 'thinking') return;
    send();
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }, LONG_REPLY, 40);
  try {
    const run = await startFaultCall({
      callerAudio: callerTimeline([2500, { speakMs: 900 }, 8000]), ollamaHost: ollama.host, timeScale: 1, killAfterMs: 30_000,
      settings: { log_level: 'debug', greeting: 'Hello and welcome to the test line. How can I help you today?' },
    });
    send = () => {
      const pid = run.voicebotPid();
      if (pid === undefined || !Number.isNaN(signalAtMs)) return;
      signalAtMs = run.call.nowMs();
      process.kill(pid, signal);
    };
    if (phase !== 'thinking') {
      assert.ok(await logLine(run.logFile, PHASE_LINE[phase]), `the call reached phase ${phase}`);
      send();
    }
    const result = await run.finished;
    return { result, exitAfterSignalMs: result.exitAtMs - signalAtMs };
  } finally {
    await ollama.close();
  }
}

test('SIGTERM and SIGINT in each phase end the call like a hangup: status set, row closed as terminated, exit 0 within 1 s', async (t) => {
  const phases: Phase[] = ['starting', 'greeting', 'listening', 'thinking', 'speaking'];
  const cases = phases.flatMap((phase) => (['SIGTERM', 'SIGINT'] as const).map((signal) => ({ phase, signal })));
  const measured: string[] = [];
  const queue = [...cases];
  const failures: string[] = [];
  await Promise.all([1, 2].map(async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const { phase, signal } = next;
      const { result, exitAfterSignalMs } = await terminateIn(phase, signal);
      const context = `${signal} while ${phase}\n${describeRun(result)}`;
      measured.push(`${signal}/${phase}: ${Math.round(exitAfterSignalMs)} ms`);
      try {
        assert.equal(result.exitCode, 0, context);
        assert.ok(Number.isFinite(exitAfterSignalMs), `the signal was sent\n${context}`);
        assert.ok(exitAfterSignalMs <= EXIT_BOUND_MS + LOAD_SLACK_MS, `exit ${Math.round(exitAfterSignalMs)} ms after ${signal}\n${context}`);
        assert.ok(result.commands.some((r) => r.cmd === 'SET VARIABLE VOICEBOT_STATUS "ERROR"' && r.reply[0] === '200 result=1'), `the status reached the dialplan\n${context}`);
        const calls = readStore(result.dbPath).calls;
        assert.equal(calls.length, 1, context);
        assert.equal(calls[0]?.end_reason, 'terminated', context);
        assert.notEqual(calls[0]?.ended_at, null, context);
      } catch (error) {
        failures.push((error instanceof Error ? error.message : String(error)).slice(0, 3000));
      }
    }
  }));
  t.diagnostic(`exit after the signal: ${measured.join(', ')}`);
  assert.deepEqual(failures, []);
});
