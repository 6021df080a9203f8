import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callerTimeline, describeRun, startFaultCall } from './support/call.ts';
import { hookedOllama } from './support/ollama.ts';

/**
 * The caller speaks at pickup (over the greeting, or into the fd 3 backlog of a slow start): the
 * final is ready before the first WAIT FOR DIGIT is written, and the channel writes
 * the interrupter (GET FULL VARIABLE) a millisecond after it. Asterisk reads stdin through a
 * stdio buffer: two lines that arrive together are one write, and the second waits for more
 * bytes (docs/design.md). The interrupter is never answered, the FIFO waits for it, the reply is never
 * played: dead air until the caller hangs up. Under CPU load (slow start) any call can hit this;
 * here a proxy hands Asterisk the lines written within 25 ms of each other in one read. listen()
 * now takes a waiting utterance without writing WAIT FOR DIGIT, and the channel adapter holds any
 * interrupter back until 40 ms after its command.
 */
test('an utterance that is ready before listening starts is answered (no coalesced interrupter)', async (t) => {
  const ollama = await hookedOllama(() => {});
  t.after(() => ollama.close());
  // The caller talks at pickup (into the fd 3 backlog, or over the greeting), so the final is queued when listening starts.
  const caller = callerTimeline([300, { speakMs: 900 }, 6000]);
  const run = await startFaultCall({ callerAudio: caller, ollamaHost: ollama.host, timeScale: 4, settings: { greeting: 'Hello and thank you for calling the demo office, how can I help you today?' }, proxy: { coalesceCommandsMs: 25 }, events: [{ action: 'hangup', atMs: 14000 }] });
  const result = await run.finished;
  const replies = result.commands.filter((r) => /^STREAM FILE \S+\/calls\//.test(r.cmd));
  assert.ok(replies.length > 0, `the caller's first words got a reply before the hangup\n${describeRun(result)}`);
});
