import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readWav } from '../../src/audio/wav.ts';
import { openReader } from '../../src/store/open.ts';
import { testCallConfig } from '../support/call-config.ts';
import { mainTs, nodeBin } from '../support/paths.ts';
import { runSimulateCli } from '../support/simulate-cli.ts';
import { speechUnavailable } from '../support/speech.ts';
import { channelOf, steadyFrameShare } from '../support/tone-or-speech.ts';

const dir = mkdtempSync(join(tmpdir(), 'voicebot-simulate-cli-'));
const noEspeak = speechUnavailable();
/** No Ollama, models or config from the box: the demo picks its test engines. */
const env = { PATH: process.env['PATH'], HOME: dir };

function callerWav(): string {
  const path = join(dir, 'caller.wav');
  if (!existsSync(path)) {
    const made = spawnSync('espeak-ng', ['-w', path, 'Hello, what time do you open?'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
  }
  return path;
}

/** Runs `voicebot simulate` without blocking this process (tests of this file run side by side). */
const simulate = (args: string[]) => runSimulateCli(args, env);

function callRows(dbPath: string): { end_reason: string | null; voice: string | null }[] {
  const db = openReader(dbPath);
  try {
    return db.prepare('SELECT end_reason, voice FROM calls').all() as { end_reason: string | null; voice: string | null }[];
  } finally {
    db.close();
  }
}

describe('voicebot simulate for a newcomer', { concurrency: 2, skip: noEspeak ?? false }, () => {
  test('--caller is checked before any engine is set up: a missing or non-WAV file exits 2 at once', async () => {
    const out = join(dir, 'no-caller');
    const missing = await simulate(['--caller', join(dir, 'nope.wav'), '-o', out]);
    assert.equal(missing.status, 2, missing.stderr);
    assert.match(missing.stderr, /--caller \S+nope\.wav: no such file/);
    assert.equal(existsSync(out), false, 'nothing prepared (no config, no generated model)');
    const text = join(dir, 'not-a-wav.wav');
    writeFileSync(text, 'hello');
    const notWav = await simulate(['--caller', text, '-o', out]);
    assert.equal(notWav.status, 2, notWav.stderr);
    assert.match(notWav.stderr, /not a 16-bit PCM WAV/);
    assert.equal(existsSync(out), false);
  });

  test('help says how to leave silence before the caller speaks', async () => {
    const help = await simulate(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /To leave silence before\s+the caller speaks/);
    assert.match(help.stdout, /sox caller\.wav padded\.wav pad 4/);
  });

  test('with --config, -o holds the call log, log and cache; a refused call exits 1 with the reasons on stderr', async () => {
    // A config whose own call log is elsewhere (think /etc/asterisk/voicebot.conf and the live call log).
    const live = testCallConfig({ extra: { vosk_model_dir: join(dir, 'no-such-model') } });
    const out = join(dir, 'refused');
    const run = await simulate(['--caller', callerWav(), '--config', live.configPath, '-o', out, '--speed', '4']);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /the call was not served/);
    assert.match(run.stderr, /VOICEBOT_STATUS=ERROR/);
    assert.match(run.stderr, /not answering: setup error.*vosk model.*no-such-model does not exist/);
    assert.equal(existsSync(live.dbPath), false, 'the config\'s own call log is untouched');
    assert.deepEqual(callRows(join(out, 'calls.db')).map((row) => row.end_reason), ['setup_error']);
    assert.ok(existsSync(join(out, 'voicebot.log')));

    const asked = await simulate(['--caller', callerWav(), '--config', live.configPath, '-o', join(dir, 'asked'), '--speed', '4', '--use-config-paths']);
    assert.equal(asked.status, 1);
    assert.deepEqual(callRows(live.dbPath).map((row) => row.end_reason), ['setup_error'], '--use-config-paths writes where the config says');
  });

  test('the timeline is printed while the call runs, before the recording exists', async () => {
    const config = testCallConfig();
    const out = join(dir, 'live');
    // The caller stays on the line long enough for the call to be answered on a loaded box.
    const child = spawn(nodeBin, [mainTs, 'simulate', '--caller', callerWav(), '--config', config.configPath, '-o', out, '--speed', '2', '--hangup-after', '12'], { env });
    let stdout = '';
    let answerSeenBeforeRecording: boolean | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (answerSeenBeforeRecording === undefined && /AGI {5}ANSWER -> 200 result=0/.test(stdout)) answerSeenBeforeRecording = !existsSync(join(out, 'call.wav'));
    });
    child.stderr.resume();
    await new Promise((resolve) => child.on('close', resolve));
    assert.equal(answerSeenBeforeRecording, true, stdout);
    assert.ok(stdout.indexOf('ANSWER') < stdout.indexOf('# conversation from the call log'), stdout);
  });

  test('the demo speaks words (espeak-ng test voice), shows what the caller said beside what STT heard, and exits 0', async () => {
    const out = join(dir, 'demo');
    const run = await simulate(['--demo', '-o', out, '--speed', '2']);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /TTS {2}TEST ENGINE: espeak-ng speaks the bot's sentences/);
    const transcript = readFileSync(join(out, 'transcript.txt'), 'utf8');
    assert.match(transcript, /CALLER {2}says "Hi, I would like to know your opening hours on Saturday\."/);
    assert.match(transcript, /CALLER {2}STT heard "[^"]*"[^\n]*\n +the caller's WAV said "Hi, I would like to know your opening hours on Saturday\."/);
    assert.deepEqual(callRows(join(out, 'calls.db')).map((row) => row.voice), ['test-espeak (TEST ENGINE)']);
    const wav = readWav(join(out, 'call.wav'));
    const share = steadyFrameShare(channelOf(wav.samples, 1), wav.sampleRateHz);
    assert.ok(share < 0.3, `the bot channel is speech, not a tone (steady frames ${share.toFixed(2)})`);
    assert.ok(!readdirSync(out).includes('stderr.txt') || readFileSync(join(out, 'stderr.txt'), 'utf8') === '');
  });
});
