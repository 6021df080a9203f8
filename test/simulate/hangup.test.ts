import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { HANGUP_MODES, runFakeAsteriskCall } from '../../src/simulate/fake-asterisk.ts';
import { makePromptSounds } from '../support/asterisk-testdata.ts';
import { testCallConfig } from '../support/call-config.ts';
import { mainTs, nodeBin, repoRoot } from '../support/paths.ts';

const script = join(repoRoot, 'test', 'support', 'agi-script.ts');
const sounds = makePromptSounds();
const logDir = mkdtempSync(join(tmpdir(), 'voicebot-hangup-'));
const { configPath } = testCallConfig();
const speech = Int16Array.from({ length: 8000 * 3 }, (_, i) => Math.round(4000 * Math.sin(i / 7)));

/** What the program is doing when the caller hangs up, and which program does it. */
const STATES = {
  // The real voicebot with test engines: greeting, then listening (STREAM FILE of a silent sound).
  'in a call (voicebot)': { command: [nodeBin, mainTs], expectPlayback: false },
  // No command outstanding: the script sleeps between CHANNEL STATUS checks.
  'idle (no command outstanding)': { command: [nodeBin, script, 'idle'], expectPlayback: false },
  'during STREAM FILE': { command: [nodeBin, script, 'stream', join(sounds, 'prompt-long')], expectPlayback: true },
} as const;

describe('hangup in every AGISIGHUP/AGIEXITONHANGUP mode: exit 0 within 1 s, no process left', { concurrency: 3 }, () => {
  for (const [modeName, mode] of Object.entries(HANGUP_MODES)) {
    for (const [stateName, state] of Object.entries(STATES)) {
      test(`${modeName}, ${stateName}`, async () => {
        const logFile = join(logDir, `${modeName}-${stateName.replace(/\W+/g, '-')}.log`);
        const result = await runFakeAsteriskCall({
          command: state.command,
          env: { PATH: process.env['PATH'], VOICEBOT_CONFIG: configPath, VOICEBOT_LOG_FILE: logFile, VOICEBOT_LOG_STDERR: 'yes' },
          callerAudio: speech, hangupMode: mode, soundsDir: sounds,
          events: [{ action: 'hangup', atMs: 1200 }],
          killAfterMs: 15_000,
        });
        const context = `stderr:\n${result.stderr}\nevents: ${JSON.stringify(result.events)}`;
        assert.equal(result.killed, false, `the program hung and was killed\n${context}`);
        assert.equal(result.exitCode, 0, context);
        assert.notEqual(result.hangupAtMs, undefined, 'the call was hung up while the program ran');
        assert.ok((result.exitAfterHangupRealMs ?? Infinity) < 1000, `exited ${result.exitAfterHangupRealMs?.toFixed(0)} ms after the hangup\n${context}`);
        assert.deepEqual(result.leftoverPids, [], 'no process of the program is left');
        assert.doesNotMatch(result.stderr, /forced exit|internal error|script failed/, context);
        const kinds = result.events.map((e) => e.kind);
        assert.equal(kinds.includes('signal'), mode.sighup, 'SIGHUP sent exactly in the SIGHUP modes');
        assert.equal(kinds.includes('pipes_closed'), mode.exitOnHangup, 'pipes closed exactly in the AGIEXITONHANGUP modes');
        if (state.expectPlayback) {
          assert.ok(result.playbacks.some((p) => p.how === 'hangup'), 'the playback was cut by the hangup');
        }
        const log = stateName.includes('voicebot') ? readFileSync(logFile, 'utf8') : result.stderr;
        assert.match(log, /hangup/, 'the program logged the hangup');
      });
    }
  }
});
