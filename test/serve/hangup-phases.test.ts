import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeOllama, type FakeReply } from '../../src/simulate/fake-ollama.ts';
import { callerTimeline } from '../faults/support/call.ts';
import { readStore, startFakeAsterisk, startServe } from './support/serve.ts';

/**
 * The caller hangs up in each phase of a call over ARI: the row is closed as a caller hangup and
 * the external media channel and the bridge are deleted (Asterisk would keep both forever).
 */
const LONG = 'We open at nine in the morning and we close at six in the evening, every day of the week except on public holidays.';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Phase {
  name: string;
  hangupAtMs: number;
  reply?: FakeReply;
  settings?: Record<string, string>;
  /** The log shows the call reached the phase, and not the next one. */
  reached?: RegExp;
  notReached?: RegExp;
}

const PHASES: Phase[] = [
  { name: 'while the call is set up (before the media is up)', hangupAtMs: 0 },
  { name: 'during the greeting', hangupAtMs: 900, settings: { greeting: LONG }, reached: / greeting /, notReached: /caller said/ },
  { name: 'while the LLM thinks', hangupAtMs: 4200, reply: { content: 'We open at nine.', firstTokenDelayMs: 6000 }, reached: /\[LLM\] \S+ request/, notReached: /turn text/ },
  { name: 'during a reply', hangupAtMs: 4600, reply: { content: LONG }, reached: /turn text/, notReached: /bot replied .*interrupted=false/ },
  { name: 'while listening', hangupAtMs: 8000, reply: { content: 'We open at nine.' }, reached: /bot replied/ },
];

for (const phase of PHASES) {
  test(`the caller hangs up ${phase.name}: row closed, media channel and bridge deleted`, async () => {
    const ollama = await startFakeOllama({ script: () => phase.reply ?? { content: 'We open at nine.' }, tokenDelayMs: 0 });
    const fake = await startFakeAsterisk();
    const serve = await startServe({ fake, ollamaHost: ollama.host, ...(phase.settings === undefined ? {} : { extra: phase.settings }) });
    try {
      const call = fake.placeCall({ args: [], callerAudio: callerTimeline([1500, { speakMs: 900 }, 12_000]), callerRateHz: 8000, sendSilence: true });
      if (phase.hangupAtMs === 0) call.hangup();
      else setTimeout(() => call.hangup(), phase.hangupAtMs);
      const end = await call.ended;
      assert.equal(end.how, 'caller-hangup');
      const deadline = Date.now() + 8000;
      const settled = () => fake.bridges().length === 0 && !fake.channels().some((c) => String(c['name']).startsWith('WebSocket/'))
        && readStore(serve.dbPath).calls.every((c) => c.ended_at !== null);
      while (!settled() && Date.now() < deadline) await sleep(50);
      const log = serve.log();
      if (phase.reached !== undefined) assert.match(log, phase.reached, 'the call reached the phase');
      if (phase.notReached !== undefined) assert.doesNotMatch(log, phase.notReached, 'the call hung up within the phase');
      assert.deepEqual(fake.bridges(), [], `no bridge left\n${log}`);
      assert.deepEqual(fake.channels().filter((c) => String(c['name']).startsWith('WebSocket/')), [], `no media channel left\n${log}`);
      const rows = readStore(serve.dbPath).calls;
      assert.ok(rows.length <= 1, JSON.stringify(rows));
      for (const row of rows) {
        assert.notEqual(row.ended_at, null, `the row is closed\n${log}`);
        if (phase.hangupAtMs > 0) assert.equal(row.status, 'CALLER_HANGUP', `${JSON.stringify(row)}\n${log}`);
      }
      if (phase.hangupAtMs > 0) assert.equal(rows.length, 1, `the answered call is stored\n${log}`);
    } finally {
      await serve.stop();
      await fake.close();
      await ollama.close();
    }
  });
}
