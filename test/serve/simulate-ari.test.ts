import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rms } from '../../src/audio/pcm.ts';
import { readWav, writeWav } from '../../src/audio/wav.ts';
import { callerTimeline } from '../faults/support/call.ts';
import { runSimulateCli } from '../support/simulate-cli.ts';

/** `voicebot simulate --transport ari`: a whole call through voicebot serve and the built-in fake ARI Asterisk. */
const dir = mkdtempSync(join(tmpdir(), 'voicebot-simulate-ari-'));
const env = { PATH: process.env['PATH'], HOME: dir };

const simulate = (args: string[]) => runSimulateCli(args, env);

test('simulate --transport ari: serve takes the call from the fake Asterisk; the bot is heard and the turn is logged', async () => {
  const caller = join(dir, 'caller.wav');
  writeWav(caller, { sampleRateHz: 8000, channels: 1, samples: callerTimeline([1500, { speakMs: 900 }, 1000]) });
  const out = join(dir, 'out');
  const run = await simulate(['--caller', caller, '--transport', 'ari', '-o', out, '--hangup-after', '4']);
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /voicebot serve over ARI/);
  assert.match(run.stdout, /^CALLER {2}hello/m, run.stdout);
  assert.match(run.stdout, /^BOT /m);
  for (const file of ['call.wav', 'transcript.txt', 'commands.jsonl', 'voicebot.log', 'calls.db']) assert.ok(existsSync(join(out, file)), file);
  const wav = readWav(join(out, 'call.wav'));
  const bot = wav.samples.filter((_, i) => i % 2 === 1);
  assert.ok(rms(bot) > 100, 'the bot side of call.wav has the bot\'s audio');
});

test('simulate --transport ari refuses EAGI-only options with a usage error', async () => {
  const caller = join(dir, 'caller2.wav');
  writeWav(caller, { sampleRateHz: 8000, channels: 1, samples: callerTimeline([500]) });
  const run = await simulate(['--caller', caller, '--transport', 'ari', '--speed', '4', '-o', join(dir, 'refused')]);
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /--transport ari runs in real time/);
});
