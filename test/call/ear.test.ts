import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AudioFrame } from '../../src/audio/pcm.ts';
import { StreamEar } from '../../src/call/adapters/ear.ts';
import { silentLogger } from '../../src/log.ts';
import { AsyncQueue } from '../../src/runtime/async-queue.ts';
import type { SttEngine, SttEvent } from '../../src/stt/engine.ts';

/** An STT engine whose events the test pushes: the ear's own logic, without audio. */
function scriptedEar() {
  const events = new AsyncQueue<SttEvent>();
  const speaking: boolean[] = [];
  const engine: SttEngine = {
    name: 'scripted',
    transcribe: (_frames, options) => {
      return (async function* () {
        for await (const event of events) {
          speaking.push(options?.botSpeaking?.() ?? false);
          yield event;
        }
      })();
    },
    close: () => {},
  };
  const frames: AsyncIterable<AudioFrame> = { [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => {}) }) };
  const hangup = new AbortController();
  const ear = new StreamEar(engine, frames, { log: silentLogger, now: Date.now, recordAudio: false, signal: hangup.signal });
  return { ear, events, speaking, close: () => { events.end(); hangup.abort(); } };
}

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));
const final = (text: string): SttEvent => ({ type: 'final', atMs: 2000, text, words: [], speechStartMs: 1000, speechEndMs: 1900, reason: 'quiet', decodeMs: 1 });

test('speech that starts in the gap between two sentences interrupts the next one, and is heard', async () => {
  const { ear, events, speaking, close } = scriptedEar();
  try {
    const first = new AbortController();
    const sentence1 = ear.watchBargeIn({ ignoreFirstMs: 30, signal: first.signal });
    first.abort();
    assert.equal(await sentence1, false, 'the first sentence played out');
    events.push({ type: 'speech-start', atMs: 1000, speechStartMs: 1000 });
    events.push({ type: 'barge-in', atMs: 1300, speechStartMs: 1000 });
    await tick();
    assert.equal(speaking.at(-1), true, 'the barge-in rule stays armed between sentences');
    const second = new AbortController();
    assert.equal(await ear.watchBargeIn({ ignoreFirstMs: 30, signal: second.signal }), true, 'the next sentence is interrupted');
    events.push(final('wait a moment'));
    const heard = await ear.nextUtterance({ timeoutMs: 1000, signal: new AbortController().signal });
    assert.equal(heard?.text, 'wait a moment', 'the interrupting speech becomes the next utterance');
  } finally {
    close();
  }
});

test('loud speech first reported inside a sentence\'s echo window still interrupts once the window is over', async () => {
  const { ear, events, close } = scriptedEar();
  try {
    const watch = new AbortController();
    const hit = ear.watchBargeIn({ ignoreFirstMs: 80, signal: watch.signal });
    events.push({ type: 'speech-start', atMs: 0, speechStartMs: 0 });
    events.push({ type: 'barge-in', atMs: 20, speechStartMs: 0 });
    assert.equal(await hit, true);
  } finally {
    close();
  }
});

test('speech that ends while the bot still speaks, without interrupting, is not taken as an answer', async () => {
  const { ear, events, close } = scriptedEar();
  try {
    const watch = new AbortController();
    const hit = ear.watchBargeIn({ ignoreFirstMs: 0, signal: watch.signal });
    events.push({ type: 'speech-start', atMs: 0, speechStartMs: 0 });
    events.push(final('uh huh'));
    await tick();
    watch.abort();
    assert.equal(await hit, false);
    assert.equal(await ear.nextUtterance({ timeoutMs: 50, signal: new AbortController().signal }), undefined);
  } finally {
    close();
  }
});
