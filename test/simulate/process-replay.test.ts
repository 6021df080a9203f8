import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { specOf } from '../../src/agi/command.ts';
import { HANGUP_MODES, runFakeAsteriskCall, type CallerEvent } from '../../src/simulate/fake-asterisk.ts';
import type { PlanStep, StepResult } from '../support/agi-script.ts';
import {
  asteriskTestdata, commandRows, commandStart, makePromptSounds, placeCallerActions, readScenario, sameReply,
  scenarioChannel, scenarioMode, scenarioNames, TIMING_DEPENDENT_COMMANDS, type TranscriptRow,
} from '../support/asterisk-testdata.ts';
import { nodeBin, repoRoot } from '../support/paths.ts';

const data = asteriskTestdata();
const script = join(repoRoot, 'test', 'support', 'agi-script.ts');
const sounds = makePromptSounds();
const work = mkdtempSync(join(tmpdir(), 'voicebot-replay-'));
/** Call time runs this much faster than real time. */
const SCALE = 10;

interface Expectation { row: TranscriptRow; kind: 'cmd' | 'overlap-1' | 'overlap-2' }

/**
 * Turn a capture into a plan for the AGI script (commands sent through the real AgiChannel) and
 * caller events for the fake Asterisk, keyed to the index of the line the fake receives.
 */
function buildPlan(rows: TranscriptRow[]): { plan: PlanStep[]; events: CallerEvent[]; expect: Expectation[] } {
  const commands = commandRows(rows).filter((row) => !row.cmd?.includes('\r'));
  const placed = placeCallerActions(rows);
  const plan: PlanStep[] = [];
  const expect: Expectation[] = [];
  const events: CallerEvent[] = [];
  let received = 0;
  const receivedIndex = new Map<TranscriptRow, number>();
  const ordered = rows.filter((row) => commands.includes(row) || row.kind === 'overlap');
  for (const row of ordered) {
    // A digit pressed while idle is lost (the engine replay checks that); idle hangups matter.
    const idle = placed.find((p) => p.action.action === 'hangup' && p.commandIndex === undefined && p.afterIndex >= 0 && commandRows(rows)[p.afterIndex + 1] === row);
    if (idle !== undefined) plan.push({ pauseMs: 300 });
    if (row.kind === 'overlap') {
      const cmd1 = String(row['cmd1']);
      plan.push({ overlap: { cmd1, cmd2: String(row['cmd2']), afterMs: Number(row['cmd2_sent_at_ms']) / SCALE } });
      expect.push({ row, kind: 'overlap-1' }, { row, kind: 'overlap-2' });
      received += specOf(cmd1).interrupt === 'queues' ? 2 : 3;
      continue;
    }
    receivedIndex.set(row, received);
    plan.push({ cmd: row.cmd ?? '' });
    expect.push({ row, kind: 'cmd' });
    received += 1;
  }
  const all = commandRows(rows);
  for (const action of placed) {
    if (action.commandIndex !== undefined) {
      const row = all[action.commandIndex] as TranscriptRow;
      const index = receivedIndex.get(row);
      if (index !== undefined) events.push({ ...action.action, afterCommand: index, phase: 'received', delayMs: action.atMs - commandStart(row) });
    } else if (action.action.action === 'hangup' && action.afterIndex >= 0) {
      const row = all[action.afterIndex] as TranscriptRow;
      const index = receivedIndex.get(row);
      if (index !== undefined) events.push({ ...action.action, afterCommand: index, phase: 'replied', delayMs: 50 });
    }
  }
  return { plan, events, expect };
}

describe('every captured scenario through the real AgiChannel, real pipes and the fake Asterisk', { concurrency: 4, skip: 'skip' in data ? data.skip : false }, () => {
  if ('skip' in data) return;
  for (const name of scenarioNames(data.dir)) {
    test(name, async () => {
      const rows = readScenario(data.dir, name);
      const { plan, events, expect } = buildPlan(rows);
      const planFile = join(work, `${name}.plan.json`);
      const resultFile = join(work, `${name}.results.json`);
      writeFileSync(planFile, JSON.stringify(plan));
      const channel = scenarioChannel(name, rows);
      const mode = scenarioMode(name);
      const variables = { ...channel.variables };
      delete variables['AGISIGHUP'];
      delete variables['AGIEXITONHANGUP'];
      const call = await runFakeAsteriskCall({
        command: [nodeBin, script, 'replay', planFile, resultFile, channel.slin16 ? 'slin16' : 'slin'],
        env: { PATH: process.env['PATH'] }, channelName: channel.channelName, extension: name,
        hangupMode: HANGUP_MODES[name.startsWith('hup-') ? mode : 'default'], audioFormat: channel.slin16 ? 'slin16' : 'slin',
        variables, soundsDir: sounds, timeScale: SCALE, events, killAfterMs: 60_000,
        callerAudio: Int16Array.from({ length: 8000 * 20 }, (_, i) => Math.round(3000 * Math.sin(i / 9))),
      });
      assert.equal(call.exitCode, 0, `script exit\n${call.stderr}`);
      const results = JSON.parse(readFileSync(resultFile, 'utf8')) as StepResult[];
      assert.equal(results.length, expect.length);
      expect.forEach(({ row, kind }, i) => {
        const got = results[i] as StepResult;
        const where = `${name} #${i} ${JSON.stringify(got.cmd)}: got ${JSON.stringify(got)}`;
        if (kind === 'cmd') {
          const want = row.reply ?? [];
          if (want[0] === '<EOF on stdin>') {
            assert.ok(got.error === 'AGI_HANGUP' && ['stdin-eof', 'epipe', 'sighup', 'fd3-eof'].includes(got.hangupCause ?? ''), `${where}, want EOF`);
          } else if (want[0]?.startsWith('511 ')) {
            assert.ok(got.error === 'AGI_HANGUP' || sameReply(got.reply ?? [], want), `${where}, want 511 or not sent after the hangup`);
          } else {
            assert.ok(got.reply !== null && sameReply(got.reply, want, { looseData: TIMING_DEPENDENT_COMMANDS.has(row.cmd ?? '') }), `${where}, want ${JSON.stringify(want)}`);
          }
        } else if (kind === 'overlap-1') {
          const behaviour = specOf(String(row['cmd1'])).interrupt;
          if (behaviour === 'queues') assert.ok(sameReply(got.reply ?? [], row['reply1'] as string[]), `${where}: not interruptible, it finishes`);
          else assert.equal(got.interrupted, true, `${where}: interrupted`);
          if (behaviour === 'silent') assert.equal(got.reply, null, `${where}: no reply`);
        } else {
          assert.deepEqual(got.reply, ['200 result=0'], `${where}: the next command is answered`);
        }
      });
    });
  }
});
