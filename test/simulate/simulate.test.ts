import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readWav, encodeWav } from '../../src/audio/wav.ts';
import { parseDtmfSpec, runSimulatedCall } from '../../src/simulate/simulate.ts';
import { makePromptSounds } from '../support/asterisk-testdata.ts';
import { testCallConfig } from '../support/call-config.ts';
import { mainTs, nodeBin, repoRoot } from '../support/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'voicebot-simulate-'));

/** Real speech from espeak-ng when installed (CI installs it), else a tone burst pattern. */
function callerWav(): string {
  const path = join(dir, 'caller.wav');
  const made = spawnSync('espeak-ng', ['-w', path, 'Hello, I would like to book a table for two tonight.'], { encoding: 'utf8' });
  if (made.status === 0 && existsSync(path)) return path;
  const samples = Int16Array.from({ length: 8000 * 3 }, (_, i) => (i % 8000 < 5000 ? Math.round(5000 * Math.sin(i / 5)) : 0));
  writeFileSync(path, encodeWav({ sampleRateHz: 8000, channels: 1, samples }));
  return path;
}

const caller = callerWav();
const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], VOICEBOT_CONFIG: testCallConfig().configPath };

function channelEnergy(samples: Int16Array, channel: 0 | 1): number {
  let sum = 0;
  for (let i = channel; i < samples.length; i += 2) sum += Math.abs(samples[i] ?? 0);
  return sum / (samples.length / 2);
}

test('simulate runs a whole call of voicebot and writes call.wav, transcript.txt and commands.jsonl', async () => {
  const out = join(dir, 'voicebot');
  const result = await runSimulatedCall({ callerWav: caller, outDir: out, dtmf: [parseDtmfSpec('5@1.5s')], hangupAfterAudioMs: 4000, timeScale: 4, env });
  assert.equal(result.call.exitCode, 0, result.call.stderr);
  assert.deepEqual(result.call.leftoverPids, []);
  const wav = readWav(result.callWav);
  assert.equal(wav.channels, 2);
  assert.equal(wav.sampleRateHz, 8000);
  const callerSeconds = readWav(caller).samples.length / readWav(caller).sampleRateHz;
  assert.ok(wav.samples.length / 2 / 8000 >= callerSeconds, 'the recording covers the caller audio');
  assert.ok(channelEnergy(wav.samples, 0) > 100, 'caller on the left');
  const transcript = readFileSync(result.transcript, 'utf8');
  assert.match(transcript, /CALLER {2}speaks/);
  assert.match(transcript, /CALLER {2}presses 5/);
  assert.match(transcript, /CALLER {2}hangs up/);
  assert.match(transcript, /voicebot exited \(code 0\)/);
  const rows = readFileSync(result.commandsLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { cmd?: string; reply?: string[]; t_ms: number });
  assert.ok(rows.some((row) => row.cmd === 'ANSWER' && row.reply?.[0] === '200 result=0'), 'ANSWER recorded with its reply');
  assert.ok(rows.every((row, i) => i === 0 || row.t_ms >= (rows[i - 1]?.t_ms ?? 0)), 'one time line');
});

test('the bot side of call.wav holds what was played, cut where the caller hung up', async () => {
  const sounds = makePromptSounds();
  const out = join(dir, 'stream');
  const result = await runSimulatedCall({
    callerWav: caller, outDir: out, hangupAfterAudioMs: 1500, timeScale: 4, env,
    program: [nodeBin, join(repoRoot, 'test', 'support', 'agi-script.ts'), 'stream', join(sounds, 'prompt-long')],
  });
  assert.equal(result.call.exitCode, 0, result.call.stderr);
  const wav = readWav(result.callWav);
  assert.ok(channelEnergy(wav.samples, 1) > 1000, 'bot audio on the right');
  const transcript = readFileSync(result.transcript, 'utf8');
  assert.match(transcript, /BOT {5}plays .*prompt-long\.sln \([\d.]+ s, hangup\)/);
});

test('voicebot simulate on the command line: usage errors exit 2 with a fix on stderr', () => {
  const bad = spawnSync(nodeBin, [mainTs, 'simulate', '--caller', caller, '--dtmf', 'five@now'], { encoding: 'utf8', env });
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /expected KEYS@TIME, e\.g\. 5@3\.2s/);
  const help = spawnSync(nodeBin, [mainTs, 'simulate', '--help'], { encoding: 'utf8', env });
  assert.equal(help.status, 0);
  for (const option of ['--caller', '--config', '--profile', '--out', '--dtmf', '--hangup-mode', '--speed']) assert.match(help.stdout, new RegExp(option));
});

test('parseDtmfSpec reads seconds and milliseconds', () => {
  assert.deepEqual(parseDtmfSpec('5@3.2s'), { digits: '5', atMs: 3200 });
  assert.deepEqual(parseDtmfSpec('12#@4500ms'), { digits: '12#', atMs: 4500 });
  assert.deepEqual(parseDtmfSpec('*@2'), { digits: '*', atMs: 2000 });
});
