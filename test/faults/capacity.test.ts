import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startFakeOllama, type FakeOllama } from '../../src/simulate/fake-ollama.ts';
import { testCallConfig } from '../support/call-config.ts';
import { rawDb } from '../store/helpers.ts';
import { callerTimeline, describeRun, SHORT_CALL_SETTINGS, startFaultCall, type FaultCallResult } from './support/call.ts';

/**
 * max_concurrent_calls across separate voicebot processes: a call over the limit is left
 * unanswered with VOICEBOT_STATUS=BUSY, the admitted calls go on, and a killed call's slot is
 * free at once (the kernel releases it with the process).
 */
let ollama: FakeOllama;
before(async () => { ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 0 }); });
after(async () => { await ollama.close(); });

function sharedConfig(limit: number) {
  return testCallConfig({ ollamaHost: ollama.host, extra: { ...SHORT_CALL_SETTINGS, max_concurrent_calls: limit } });
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const answeredCount = (logFile: string) => (existsSync(logFile) ? readFileSync(logFile, 'utf8').match(/\[CALL\] \S+ answered/g)?.length ?? 0 : 0);
const commands = (result: FaultCallResult) => result.commands.map((c) => c.cmd);
const variable = (result: FaultCallResult, name: string) => commands(result).find((c) => c.startsWith(`SET VARIABLE ${name} `))?.replace(/^SET VARIABLE \S+ /, '');

test('max_concurrent_calls = 2: a third simultaneous call gets BUSY unanswered while the two go on undisturbed', async (t) => {
  const config = sharedConfig(2);
  const question = callerTimeline([3000, { speakMs: 900 }, 5000]);
  const running = [];
  for (let i = 0; i < 2; i += 1) {
    running.push(await startFaultCall({ callerAudio: question, ollamaHost: ollama.host, configPath: config.configPath, events: [{ action: 'hangup', atMs: 9000 }] }));
  }
  await until(() => answeredCount(config.logFile) >= 2, 15_000, 'two answered calls');
  const third = await startFaultCall({ callerAudio: question, ollamaHost: ollama.host, configPath: config.configPath, events: [{ action: 'hangup', atMs: 9000 }] });
  const refused = await third.finished;
  assert.equal(refused.exitCode, 0, describeRun(refused));
  assert.ok(!commands(refused).includes('ANSWER'), `never answered\n${describeRun(refused)}`);
  assert.equal(variable(refused, 'VOICEBOT_STATUS'), '"BUSY"', describeRun(refused));
  assert.equal(variable(refused, 'VOICEBOT_ACTION'), '"handoff"');
  const statusAt = refused.commands.find((c) => c.cmd.startsWith('SET VARIABLE VOICEBOT_STATUS'))?.t_ms ?? Infinity;
  const spawnedAt = refused.events.find((e) => e.kind === 'spawned')?.t_ms ?? 0;
  for (const call of running) {
    const result = await call.finished;
    assert.equal(result.exitCode, 0, describeRun(result));
    assert.equal(variable(result, 'VOICEBOT_STATUS'), '"CALLER_HANGUP"', describeRun(result));
    assert.ok(commands(result).filter((c) => c.startsWith('STREAM FILE') && c.includes('/tts-')).length >= 1, `the admitted call was answered and replied to\n${describeRun(result)}`);
  }
  const db = rawDb(config.dbPath, { readonly: true });
  const rows = db.prepare('SELECT end_reason, status, answered_at FROM calls ORDER BY started_at').all() as { end_reason: string; status: string; answered_at: string | null }[];
  db.close();
  assert.deepEqual(rows.map((r) => r.end_reason).sort(), ['busy', 'caller_hangup', 'caller_hangup'], JSON.stringify(rows));
  assert.equal(rows.find((r) => r.end_reason === 'busy')?.answered_at, null);
  t.diagnostic(`BUSY set ${Math.round(statusAt - spawnedAt)} ms after exec (from source, not the binary)`);
});

test('a SIGKILLed call frees its slot at once', async () => {
  const config = sharedConfig(1);
  const long = callerTimeline([20_000]);
  const first = await startFaultCall({ callerAudio: long, ollamaHost: ollama.host, configPath: config.configPath, events: [{ action: 'hangup', atMs: 20_000 }] });
  await until(() => answeredCount(config.logFile) >= 1, 15_000, 'the first call answered');
  const pid = first.voicebotPid();
  assert.ok(pid !== undefined);
  process.kill(pid, 'SIGKILL');
  await first.finished;
  const next = await startFaultCall({ callerAudio: callerTimeline([2000]), ollamaHost: ollama.host, configPath: config.configPath, events: [{ action: 'hangup', atMs: 2000 }] });
  const result = await next.finished;
  assert.ok(commands(result).includes('ANSWER'), `the next call got the freed slot\n${describeRun(result)}`);
  assert.notEqual(variable(result, 'VOICEBOT_STATUS'), '"BUSY"');
});

test('the limit holds across 20 processes started together', async () => {
  const config = sharedConfig(5);
  const calls = await Promise.all(Array.from({ length: 20 }, () => startFaultCall({
    // From source, 20 starts at once take seconds of CPU on 2 cores: the admitted calls hold their slot until all have started.
    callerAudio: callerTimeline([20_000]), ollamaHost: ollama.host, configPath: config.configPath, events: [{ action: 'hangup', atMs: 20_000 }], killAfterMs: 90_000,
  })));
  const results = await Promise.all(calls.map((call) => call.finished));
  const answered = results.filter((r) => commands(r).includes('ANSWER'));
  const busy = results.filter((r) => variable(r, 'VOICEBOT_STATUS') === '"BUSY"');
  assert.equal(answered.length, 5, results.map((r) => `${commands(r).slice(0, 4).join(' | ')}`).join('\n'));
  assert.equal(busy.length, 15);
  assert.ok(results.every((r) => r.exitCode === 0), 'every process exits cleanly');
});
