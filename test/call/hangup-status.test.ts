import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HANGUP_MODES } from '../../src/simulate/fake-asterisk.ts';
import { runCall } from './harness.ts';

/**
 * What the dialplan's h extension sees in VOICEBOT_STATUS after the caller hangs up, per hangup
 * mode (the README's statement): SET VARIABLE is dead-capable, so without AGIEXITONHANGUP the status
 * arrives; with AGIEXITONHANGUP=yes Asterisk closes the pipes at the hangup, so it never does.
 */
const EXPECTED: Record<keyof typeof HANGUP_MODES, string | undefined> = {
  default: 'CALLER_HANGUP',
  nosighup: 'CALLER_HANGUP',
  exit: undefined,
  both: undefined,
};

describe('VOICEBOT_STATUS for the h extension in each hangup mode', { concurrency: 2 }, () => {
  for (const [name, mode] of Object.entries(HANGUP_MODES) as [keyof typeof HANGUP_MODES, (typeof HANGUP_MODES)[keyof typeof HANGUP_MODES]][]) {
    test(`${name} (AGISIGHUP=${mode.sighup ? 'yes' : 'no'}, AGIEXITONHANGUP=${mode.exitOnHangup ? 'yes' : 'no'}): ${EXPECTED[name] ?? 'empty'}`, async () => {
      const run = await runCall({
        caller: [1000],
        hangupMode: mode,
        // The caller hangs up while voicebot listens (command 3, after the greeting).
        events: [{ action: 'hangup', afterCommand: 3, phase: 'received', delayMs: 500 }],
      });
      assert.equal(run.result.exitCode, 0, run.context);
      assert.equal(run.variables['VOICEBOT_STATUS'], EXPECTED[name], run.context);
      assert.equal(run.call.end_reason, 'caller_hangup', 'the call log has the reason in every mode');
    });
  }
});
