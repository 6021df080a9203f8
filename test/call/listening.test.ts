import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALL_KEYS, LISTEN_SOUND_NAME } from '../../src/call/listen-sound.ts';
import { AsteriskEngine, type EngineHost } from '../../src/simulate/asterisk/engine.ts';
import { WAITFORDIGIT_INTERRUPTED_WARNING } from '../../src/simulate/asterisk/media-commands.ts';
import { makePromptSounds } from '../support/asterisk-testdata.ts';
import { LISTEN, runCall } from './harness.ts';

/**
 * Listening keeps DTMF live without a WARNING in Asterisk's log per caller turn: a new command that
 * interrupts WAIT FOR DIGIT makes Asterisk 22 log one, an interrupted STREAM FILE logs nothing.
 * The fake Asterisk records that warning as an `asterisk_warning` event.
 */
class StepHost implements EngineHost {
  t = 0;
  written: string[] = [];
  events: string[] = [];
  #timers: { at: number; fn: () => void }[] = [];
  nowMs(): number { return this.t; }
  after(delayMs: number, fn: () => void): () => void {
    const timer = { at: this.t + delayMs, fn };
    this.#timers.push(timer);
    return () => { this.#timers = this.#timers.filter((x) => x !== timer); };
  }
  write(text: string): void { this.written.push(...text.split('\n').slice(0, -1)); }
  hungUp(): void {}
  setAudioFlowing(): void {}
  played(): void {}
  commandStarted(): void {}
  commandDone(): void {}
  event(kind: string): void { this.events.push(kind); }
  advance(ms: number): void {
    const to = this.t + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers[0];
      if (next === undefined || next.at > to) break;
      this.#timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = to;
  }
}

function engine(): { host: StepHost; engine: AsteriskEngine } {
  const host = new StepHost();
  return {
    host,
    engine: new AsteriskEngine(host, {
      channelName: 'Local/s@test-00000000;1', extension: 's', context: 'voicebot', callerIdNum: '1', callerIdName: 'x',
      soundsDir: makePromptSounds(), channelRateHz: 8000,
    }),
  };
}

describe('listening without an Asterisk WARNING per turn', { concurrency: 3 }, () => {
  test('the fake Asterisk logs the warning for an interrupted WAIT FOR DIGIT, and nothing for an interrupted STREAM FILE', () => {
    const wait = engine();
    wait.engine.receive('WAIT FOR DIGIT 5000\n');
    wait.host.advance(100);
    wait.engine.receive('NOOP\n');
    wait.host.advance(10);
    assert.deepEqual(wait.host.written, ['200 result=1', '200 result=0']);
    assert.deepEqual(wait.host.events.filter((e) => e === 'asterisk_warning'), ['asterisk_warning']);
    assert.match(WAITFORDIGIT_INTERRUPTED_WARNING, /Waitfordigit returning numeric 1/);

    const stream = engine();
    stream.engine.receive(`STREAM FILE prompt-long "${ALL_KEYS}"\n`);
    stream.host.advance(100);
    stream.engine.receive('NOOP\n');
    stream.host.advance(10);
    assert.deepEqual(stream.host.written, ['200 result=0'], 'the interrupted STREAM FILE sends no reply');
    assert.deepEqual(stream.host.events.filter((e) => e === 'asterisk_warning'), []);
  });

  test('a two-turn call listens only in STREAM FILE of the silent sound with every key as escape digit: no warning', async () => {
    const run = await runCall({
      caller: [2500, 'What time do you open?', 4500, 'And on Sunday?', 4000],
      replies: [{ content: 'We open at nine.' }, { content: 'Closed on Sunday.' }],
      hangupAfterAudioMs: 500,
    });
    assert.equal(run.result.exitCode, 0, run.context);
    const raw = run.result.commands.map((c) => c.cmd);
    assert.deepEqual(raw.filter((cmd) => cmd.startsWith('WAIT FOR DIGIT')), [], run.context);
    const listening = run.result.commands.filter((c) => c.cmd.includes(LISTEN_SOUND_NAME));
    assert.ok(listening.length >= 1, `listened at least once\n${run.context}`);
    for (const command of listening) assert.match(command.cmd, new RegExp(`^STREAM FILE \\S+/listen/${LISTEN_SOUND_NAME} "0123456789\\*#"$`));
    // Each listening command ended by the caller's turn (interrupted: no reply), a key, its end, or the hangup.
    for (const command of listening) assert.ok(command.interrupted || /^200 result=-?\d+ endpos=\d+$/.test(command.reply[0] ?? ''), JSON.stringify(command));
    assert.deepEqual(run.result.events.filter((e) => e.kind === 'asterisk_warning'), [], run.context);
    assert.ok(run.commands.some((cmd) => cmd.startsWith(LISTEN)), run.context);
  });

  test('a key pressed while listening ends the listening sound with its digit and is logged; the call goes on', async () => {
    const run = await runCall({
      caller: [20_000],
      // Command 3 is the first listening command (after GET VARIABLE, ANSWER, the greeting); 4 is the
      // listening that follows the key.
      events: [
        { action: 'dtmf', digits: '5', afterCommand: 3, phase: 'received', delayMs: 600 },
        { action: 'hangup', afterCommand: 4, phase: 'received', delayMs: 300 },
      ],
    });
    assert.equal(run.result.exitCode, 0, run.context);
    const listened = run.result.commands.find((c) => c.cmd.includes(LISTEN_SOUND_NAME) && /^200 result=53 endpos=\d+$/.test(c.reply[0] ?? ''));
    assert.ok(listened !== undefined, `the listening STREAM FILE returned the digit 5 (ASCII 53)\n${run.context}`);
    assert.ok(run.events.some((e) => e.kind === 'dtmf' && e.detail === '5'), run.context);
    assert.ok(run.result.events.some((e) => e.kind === 'dtmf' && e['heard'] === true), `the key was heard by a running command\n${run.context}`);
    const after = run.result.commands.slice(run.result.commands.indexOf(listened) + 1);
    assert.ok(after.some((c) => c.cmd.includes(LISTEN_SOUND_NAME)), `listening resumed after the key\n${run.context}`);
    assert.equal(run.call.end_reason, 'caller_hangup');
  });
});
