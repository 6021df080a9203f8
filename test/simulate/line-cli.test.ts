import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rmsDbfs } from '../../src/audio/pcm.ts';
import { encodeWav, readWav } from '../../src/audio/wav.ts';
import { callerAudio } from '../../src/simulate/caller-speech.ts';
import { openReader } from '../../src/store/open.ts';
import { callDetail, listCalls } from '../../src/store/read.ts';
import { mainTs, nodeBin } from '../support/paths.ts';

// `voicebot simulate` on the command line with the phone line and scripted replies. Every run
// writes only inside this test's temp folder (-o); simulate writes its own config there.
const dir = mkdtempSync(join(tmpdir(), 'voicebot-line-cli-'));
const env = { PATH: process.env['PATH'], HOME: dir };
const caller = join(dir, 'caller.wav');
writeFileSync(caller, encodeWav({ sampleRateHz: 8000, channels: 1, samples: callerAudio([6000, 'What time do you open on Saturday?', 7000, 'And where are you?', 5000], 8000) }));

function cli(args: string[]) {
  return spawnSync(nodeBin, [mainTs, 'simulate', ...args], { encoding: 'utf8', env, timeout: 60_000 });
}

// The parsers are checked case by case in phone-line.test.ts; here, that the CLI stops on them early.
test('bad line and reply options exit 2 with a fix, before anything is set up', () => {
  const cases: [string[], RegExp][] = [
    [['--noise', 'purple@-30'], /--noise purple@-30: unknown noise "purple"; use white, pink, brown, hum50, hum60, babble/],
    [['--noise', 'pink@-3x'], /--noise pink@-3x: level "-3x" is not an RMS level in dBFS from -90 to 0/],
    [['--noise', `${join(dir, 'nope.wav')}@-25`], /no such file .*nope\.wav/],
    [['--echo', '12dB@100'], /--echo 12dB@100: "100" is not a duration; write it with a unit, e\.g\. 100ms/],
    [['--gap', '2.5s'], /expected START\+LENGTH, e\.g\. 2\.5s\+1\.2s/],
    [['--reply', 'Hi.', '--config', join(dir, 'voicebot.conf')], /with --config the config's Ollama answers; drop --config/],
  ];
  for (const [args, message] of cases) {
    const out = join(dir, `bad-${args.join('_').replace(/[^\w@.-]/g, '')}`);
    const run = cli(['--caller', caller, '-o', out, ...args]);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message, args.join(' '));
    assert.equal(run.stdout, '', `${args.join(' ')} printed nothing`);
    assert.equal(existsSync(out), false, `${args.join(' ')}: no output folder, no engine`);
  }
});

test('simulate --help documents every line and reply option with an example', () => {
  const help = cli(['--help']);
  assert.equal(help.status, 0);
  for (const text of ['--noise <source@dBFS>', 'pink@-30', 'hum50@-35', 'babble', '--noise-seed', '--echo <loss@delay>', '12dB@100ms',
    '--mulaw', '--gap <start+length>', '2.5s+1.2s', '--after-audio', '--reply <text>', '--replies <file>', '--token-ms <ms>']) {
    assert.ok(help.stdout.includes(text), `--help mentions ${text}`);
  }
});

test('a simulated call with noise, echo, a gap and scripted replies: the bot says the replies, fd 3 carries the line', async () => {
  const out = join(dir, 'call');
  const replies = ['We open at nine on Saturday.', 'We are at the corner of Main Street.'];
  const args = ['--caller', caller, '-o', out, '--speed', '4', '--hangup-after', '2',
    '--noise', 'pink@-30', '--echo', '12dB@100ms', '--gap', '3s+1s', '--reply', replies[0] ?? '', '--reply', replies[1] ?? '', '--token-ms', '10'];
  const child = spawn(nodeBin, [mainTs, 'simulate', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.match(stdout, /LLM {2}TEST ENGINE: scripted fake Ollama .*the scripted replies/);
  const transcript = readFileSync(join(out, 'transcript.txt'), 'utf8');
  assert.match(transcript, /# phone line: noise pink at -30 dBFS, echo 12 dB down, 100 ms late, G\.711 mu-law, gap 3\.00 s \+ 1\.00 s/);

  const db = openReader(join(out, 'calls.db'));
  let botTexts: string[];
  try {
    const call = listCalls(db, { limit: 1 })[0];
    assert.ok(call !== undefined, 'the call is in the call log under -o');
    botTexts = callDetail(db, call).turns.filter((turn) => turn.role === 'bot').map((turn) => turn.text).slice(1);
  } finally {
    db.close();
  }
  assert.ok(botTexts.length >= 1, `the bot answered at least once:\n${stdout}`);
  botTexts.forEach((text, i) => assert.equal(text, replies[Math.min(i, replies.length - 1)], `bot turn ${i + 1}`));

  // call.wav's left channel is what fd 3 carried: noise from the first frame, nothing in the gap.
  const wav = readWav(join(out, 'call.wav'));
  const left = Int16Array.from({ length: wav.samples.length / 2 }, (_, i) => wav.samples[i * 2] ?? 0);
  assert.ok(Math.abs(rmsDbfs(left.subarray(0, 8000)) + 30) < 1, `noise before the caller speaks: ${rmsDbfs(left.subarray(0, 8000)).toFixed(2)} dBFS`);
  assert.ok(left.subarray(3 * 8000, 4 * 8000).every((value) => value === 0), 'no fd 3 bytes in the gap');
  assert.ok(rmsDbfs(left.subarray(4 * 8000, 5 * 8000)) > -32, 'the line is back after the gap');
});
