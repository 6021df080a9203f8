import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callerTimeline, describeRun, readStore, startFaultCall, storeProblems, type FaultCallResult } from './support/call.ts';
import { hookedOllama } from './support/ollama.ts';

// The caller waits 2 s before speaking: an utterance ready before listening starts hits the
// interrupter race of interrupt-race.test.ts, which is not what these tests are about.
const caller = callerTimeline([2000, { speakMs: 900 }, 2500, { speakMs: 800 }, 3000]);

test('fd 3 closed early (stdin still open): treated as the hangup, row closed, exit 0', async (t) => {
  const ollama = await hookedOllama(() => {});
  t.after(() => ollama.close());
  // About 5 s of call time at timeScale 2 (after the first reply), while the channel is still up.
  const run = await startFaultCall({ callerAudio: caller, ollamaHost: ollama.host, timeScale: 2, proxy: { closeFd3AfterMs: 2600 }, events: [{ action: 'hangup', atMs: 20_000 }] });
  const result = await run.finished;
  const context = describeRun(result);
  assert.equal(result.exitCode, 0, context);
  assert.equal(result.hangupAtMs, undefined, 'voicebot ended the call itself, before the caller hung up');
  assert.deepEqual(result.leftoverPids, []);
  assert.match(result.log, /hangup cause=fd3|fd 3 (eof|EOF)/i, 'the reason is logged');
  assert.deepEqual(storeProblems(result), [], context);
  assert.equal(readStore(result.dbPath).calls[0]?.end_reason, 'caller_hangup');
});

/** Lines no Asterisk sends (`200 result=` with an empty result is legal: GET DATA's timeout). */
const GARBAGE = ['HTTP/1.1 400 Bad Request', '200 endpos=12', 'result=0 200', '\u0000\u0001binary'];

test('Asterisk replies garbage mid-call (4 lines x 4 points): logged AGI_MALFORMED_REPLY, row closed, played turns kept, exit 0', async (t) => {
  const ollama = await hookedOllama(() => {});
  t.after(() => ollama.close());
  // Reply indexes after the env block: 2 = greeting STREAM FILE, 3 = the interrupter that ends listening
  // (an interrupted listening STREAM FILE sends no reply), 4 = the first reply STREAM FILE, 6 = VERBOSE.
  const cases = [2, 3, 4, 6].flatMap((atReply, i) => [{ atReply, line: GARBAGE[i % GARBAGE.length]! }, { atReply, line: GARBAGE[(i + 1) % GARBAGE.length]! }]);
  const results: { garbage: (typeof cases)[number]; result: FaultCallResult }[] = [];
  const queue = [...cases];
  await Promise.all([1, 2, 3].map(async () => {
    for (let garbage = queue.shift(); garbage !== undefined; garbage = queue.shift()) {
      // The hangup only has to come after the garbage: far enough that a loaded box (a CI run with
      // other call tests beside this one) still reaches the garbage first.
      const run = await startFaultCall({ callerAudio: caller, ollamaHost: ollama.host, timeScale: 2, proxy: { garbage }, events: [{ action: 'hangup', atMs: 60_000 }], killAfterMs: 60_000 });
      results.push({ garbage, result: await run.finished });
    }
  }));
  for (const { garbage, result } of results) {
    const context = `garbage ${JSON.stringify(garbage)}\n${describeRun(result)}`;
    assert.equal(result.exitCode, 0, context);
    assert.equal(result.killed, false, context);
    assert.equal(result.hangupAtMs, undefined, `voicebot ended at the garbage, not at the caller's hangup\n${context}`);
    assert.deepEqual(result.leftoverPids, []);
    assert.match(result.log, /AGI_MALFORMED_REPLY/, context);
    assert.deepEqual(storeProblems(result), [], context);
  }
});

test('slow Asterisk (every reply 150-350 ms late): the call completes normally, no audio dropped, every turn stored', async (t) => {
  const ollama = await hookedOllama(() => {});
  t.after(() => ollama.close());
  // Real time, with room for a start slowed by a loaded box (2.5 s seen in CI) before the first
  // question, and for a whole slow reply before the second: a question that overlapped a reply
  // would interrupt it, which is another test's subject.
  const spaced = callerTimeline([3500, { speakMs: 900 }, 4500, { speakMs: 800 }, 4000]);
  const run = await startFaultCall({ callerAudio: spaced, ollamaHost: ollama.host, timeScale: 1, proxy: { delayReplyMs: 150, jitterMs: 200 }, events: [{ action: 'hangup', atMs: 14_500 }] });
  const result = await run.finished;
  const context = describeRun(result);
  assert.equal(result.exitCode, 0, context);
  assert.deepEqual(result.leftoverPids, []);
  const replies = result.commands.filter((r) => /^STREAM FILE \S+\/calls\//.test(r.cmd));
  assert.equal(replies.length, 4, `both turns answered (2 files each)\n${context}`);
  assert.match(result.log, /process done .*fd3Dropped=0/, 'the slow command channel did not stall the fd 3 reader');
  assert.deepEqual(storeProblems(result), [], context);
  assert.equal(readStore(result.dbPath).turns.length, 5, 'greeting + 2 caller + 2 bot turns');
});
