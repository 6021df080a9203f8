import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callerTimeline, describeRun, readStore, startFaultCall } from './support/call.ts';
import { hookedOllama } from './support/ollama.ts';

const REPLY_TIMEOUT_MS = 1000;
/** Exit after the deadline may take this long (DB close, process exit) on a loaded 2-core box. */
const EXIT_SLACK_MS = 1000;

interface Case {
  name: string;
  command: string;
  usageBlock?: boolean;
  /** The deadline of the muted command, from its record in the fake's command log. */
  deadlineMs: (elapsedMs: number) => number;
}

const CASES: Case[] = [
  { name: 'GET VARIABLE (session start)', command: 'GET VARIABLE', deadlineMs: () => REPLY_TIMEOUT_MS },
  { name: 'ANSWER', command: 'ANSWER', deadlineMs: () => REPLY_TIMEOUT_MS },
  { name: 'ANSWER answered by a 520- block that never ends', command: 'ANSWER', usageBlock: true, deadlineMs: () => REPLY_TIMEOUT_MS },
  { name: 'STREAM FILE (greeting)', command: 'STREAM FILE', deadlineMs: (elapsedMs) => elapsedMs + REPLY_TIMEOUT_MS },
  // Listening through the WAIT FOR DIGIT fallback (its timeout, plus the margin).
  { name: 'WAIT FOR DIGIT', command: 'WAIT FOR DIGIT', deadlineMs: (elapsedMs) => Math.max(elapsedMs, 30_000) + REPLY_TIMEOUT_MS },
];

test('a reply Asterisk never sends (each command kind): exit 0 and the row closed as agi_timeout within deadline + 1 s', async (t) => {
  const ollama = await hookedOllama(() => {});
  t.after(() => ollama.close());
  const runs = await Promise.all(CASES.map(async (entry) => {
    const run = await startFaultCall({
      callerAudio: callerTimeline([6000]), ollamaHost: ollama.host, timeScale: 1, killAfterMs: 20_000,
      settings: { agi_reply_timeout_ms: REPLY_TIMEOUT_MS, silence_reprompt_seconds: 1 },
      proxy: { muteFrom: { command: entry.command, usageBlock: entry.usageBlock } },
      listenWith: entry.command === 'WAIT FOR DIGIT' ? 'wait-for-digit' : undefined,
    });
    return { entry, result: await run.finished };
  }));
  const measured: string[] = [];
  for (const { entry, result } of runs) {
    const context = `${entry.name}\n${describeRun(result)}`;
    assert.equal(result.exitCode, 0, context);
    assert.equal(result.killed, false, context);
    const muted = result.commands.find((r) => r.cmd.toUpperCase().startsWith(entry.command));
    assert.ok(muted !== undefined, context);
    const afterMs = result.exitAtMs - muted.t_ms;
    const deadlineMs = entry.deadlineMs(muted.elapsed_ms);
    measured.push(`${entry.name}: exit ${Math.round(afterMs)} ms after the command (deadline ${deadlineMs} ms)`);
    assert.ok(afterMs <= deadlineMs + EXIT_SLACK_MS, `exit ${Math.round(afterMs)} ms after ${entry.command}, deadline ${deadlineMs} ms\n${context}`);
    assert.match(result.log, /AGI_REPLY_TIMEOUT/, context);
    const calls = readStore(result.dbPath).calls;
    assert.equal(calls.length, 1, context);
    assert.equal(calls[0]?.end_reason, 'agi_timeout', context);
    assert.notEqual(calls[0]?.ended_at, null, context);
  }
  t.diagnostic(measured.join('; '));
});

test('a lost reply to an interrupted WAIT FOR DIGIT does not jam the command FIFO: the call goes on', async (t) => {
  const ollama = await hookedOllama(() => {});
  t.after(() => ollama.close());
  const run = await startFaultCall({
    callerAudio: callerTimeline([2000, { speakMs: 900 }, 4000]), ollamaHost: ollama.host, timeScale: 1,
    settings: { agi_reply_timeout_ms: REPLY_TIMEOUT_MS },
    proxy: { loseReply: { command: 'WAIT FOR DIGIT', match: '^200 result=1$' } },
    listenWith: 'wait-for-digit',
    events: [{ action: 'hangup', atMs: 8000 }],
  });
  const result = await run.finished;
  const context = describeRun(result);
  assert.equal(result.exitCode, 0, context);
  assert.ok(result.commands.some((r) => /^WAIT FOR DIGIT/.test(r.cmd) && r.reply.join() === '200 result=1'), `the WAIT was interrupted (its reply lost)\n${context}`);
  assert.ok(result.commands.filter((r) => /^STREAM FILE \S+\/calls\//.test(r.cmd)).length >= 1, `the reply was played\n${context}`);
  assert.doesNotMatch(result.log, /AGI_REPLY_TIMEOUT/, context);
  assert.equal(readStore(result.dbPath).calls[0]?.end_reason, 'caller_hangup', context);
});
