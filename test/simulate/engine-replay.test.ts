import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AsteriskEngine, type EngineHost } from '../../src/simulate/asterisk/engine.ts';
import {
  asteriskTestdata, commandStart, makePromptSounds, placeCallerActions, readScenario, sameReply, scenarioChannel, scenarioNames,
  TIMING_DEPENDENT_COMMANDS, type TranscriptRow,
} from '../support/asterisk-testdata.ts';

/** A virtual clock: the engine's timers run only when the test advances time. */
class VirtualHost implements EngineHost {
  t = 0;
  written: string[] = [];
  hangups: string[] = [];
  #timers: { at: number; seq: number; fn: () => void }[] = [];
  #seq = 0;
  nowMs(): number { return this.t; }
  after(delayMs: number, fn: () => void): () => void {
    const timer = { at: this.t + Math.max(0, delayMs), seq: this.#seq += 1, fn };
    this.#timers.push(timer);
    return () => { this.#timers = this.#timers.filter((x) => x !== timer); };
  }
  write(text: string): void { this.written.push(...text.split('\n').slice(0, -1)); }
  hungUp(cause: string): void { this.hangups.push(cause); }
  setAudioFlowing(): void {}
  played(): void {}
  commandStarted(): void {}
  commandDone(): void {}
  event(): void {}
  /** Run timers up to `to`, in order. */
  advance(to: number): void {
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers[0];
      if (next === undefined || next.at > to) break;
      this.#timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = Math.max(this.t, to);
  }
  /** Advance until `target` lines in total are written or `limitMs` passes. */
  until(target: number, limitMs: number): void {
    const end = this.t + limitMs;
    while (this.written.length < target && this.t < end) this.advance(Math.min(end, this.t + 10));
  }
}

const data = asteriskTestdata();
const soundsDir = makePromptSounds();

function engineFor(name: string, rows: TranscriptRow[]): { host: VirtualHost; engine: AsteriskEngine } {
  const host = new VirtualHost();
  const channel = scenarioChannel(name, rows);
  const engine = new AsteriskEngine(host, {
    channelName: channel.channelName, extension: name, context: 'voicebot', callerIdNum: 'unknown', callerIdName: 'unknown',
    soundsDir, channelRateHz: channel.slin16 ? 16000 : 8000,
    variables: { ...channel.variables, ...(channel.slin16 ? { EAGI_AUDIO_FORMAT: 'slin16' } : {}) },
  });
  for (const { atMs, action } of placeCallerActions(rows)) {
    host.after(atMs, () => {
      if (action.action === 'hangup') engine.hangup('caller');
      else [...action.digits].forEach((digit, i) => host.after(i * 250, () => engine.pressDigit(digit)));
    });
  }
  return { host, engine };
}

function linesOf(reply: readonly string[]): string[] {
  return reply.filter((line) => !line.startsWith('<'));
}

describe('fake Asterisk engine replays every captured scenario with the same replies', { skip: 'skip' in data ? data.skip : false }, () => {
  if ('skip' in data) return;
  for (const name of scenarioNames(data.dir)) {
    test(name, () => {
      const rows = readScenario(data.dir, name);
      const { host, engine } = engineFor(name, rows);
      let compared = 0;
      for (const row of rows) {
        if (row.kind === 'pipelined') {
          const [first, second] = row['pipelined'] as [string, string];
          host.advance(row.t_ms);
          const before = host.written.length;
          engine.receive(`${first}\n${second}\n`);
          host.until(before + 1, 100);
          assert.deepEqual(host.written.slice(before), row['reply_1'], `${name}: pipelined first reply`);
          host.advance(host.t + 3000);
          assert.equal(host.written.length, before + 1, `${name}: second pipelined command unanswered until more bytes arrive`);
          engine.receive('NOOP\n');
          host.until(before + 3, 100);
          assert.deepEqual(host.written.slice(before + 1), (row['next_two_replies'] as string[][]).flat(), `${name}: both answered after the NOOP`);
          compared += 1;
          continue;
        }
        if (row.kind === 'overlap') {
          host.advance(row.t_ms);
          const before = host.written.length;
          engine.receive(`${String(row['cmd1'])}\n`);
          host.advance(host.t + Number(row['cmd2_sent_at_ms']));
          engine.receive(`${String(row['cmd2'])}\n`);
          const expected = [...linesOf(row['reply1'] as string[]), ...linesOf(row['reply2'] as string[])];
          host.until(before + expected.length, 6000);
          host.advance(host.t + 100);
          assert.ok(sameReply(host.written.slice(before), expected), `${name}: overlap ${String(row['cmd1'])} + ${String(row['cmd2'])}: got ${JSON.stringify(host.written.slice(before))}, want ${JSON.stringify(expected)}`);
          compared += 1;
          continue;
        }
        if (row.cmd === undefined || row.reply === undefined || row.kind !== undefined) continue;
        if (row.reply[0] === '<EOF on stdin>') {
          host.advance(Math.max(host.t, row.t_ms));
          assert.equal(engine.alive, false, `${name}: EOF replies only after the hangup`);
          continue;
        }
        host.advance(Math.max(host.t, commandStart(row)));
        const before = host.written.length;
        engine.receive(`${row.cmd}\n`);
        host.until(before + row.reply.length, (row.elapsed_ms ?? 0) + 5000);
        const got = host.written.slice(before, before + row.reply.length);
        assert.ok(sameReply(got, row.reply, { looseData: TIMING_DEPENDENT_COMMANDS.has(row.cmd) }),
          `${name}: ${JSON.stringify(row.cmd)}: got ${JSON.stringify(got)}, want ${JSON.stringify(row.reply)}`);
        compared += 1;
      }
      assert.ok(compared > 0, `${name}: compared at least one command`);
    });
  }
});
