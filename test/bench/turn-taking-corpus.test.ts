import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { rmsDbfs } from '../../src/audio/pcm.ts';
import { type BenchCase, callerStream, lineSamples, msToSamples, referenceSamples } from '../../bench/turn-taking/corpus.ts';
import { buildCorpus, type CorpusOptions } from '../../bench/turn-taking/groups.ts';
import { synthesisUnavailable } from '../../bench/turn-taking/voices.ts';

const skip = synthesisUnavailable();
const OPTIONS: CorpusOptions = { perGroup: 2, keepParts: true, only: ['clean', 'pink 10 dB', 'babble 5 dB', 'hum 20 dB', 'pause 800 ms', 'echo 12 dB', 'interruption', 'cough'] };
let cacheRoot = '';
let corpus: BenchCase[] = [];

before(() => {
  if (skip !== undefined) return;
  cacheRoot = mkdtempSync(join(tmpdir(), 'voicebot-bench-test-'));
  process.env['VOICEBOT_BENCH_CACHE'] = cacheRoot;
  corpus = buildCorpus(OPTIONS);
});

after(() => {
  delete process.env['VOICEBOT_BENCH_CACHE'];
  if (cacheRoot !== '') rmSync(cacheRoot, { recursive: true, force: true });
});

const inGroup = (group: string) => corpus.filter((c) => c.group === group);

test('corpus: the same cases from freshly synthesized speech and from the cache', { skip }, () => {
  assert.ok(readdirSync(join(cacheRoot, 'turn-taking')).length > 0, 'speech was cached');
  const again = buildCorpus(OPTIONS);
  assert.equal(again.length, corpus.length);
  corpus.forEach((c, i) => {
    const other = again[i]!;
    assert.equal(other.id, c.id);
    assert.equal(other.detail, c.detail);
    assert.deepEqual(other.truth, c.truth);
    assert.deepEqual(callerStream(other), callerStream(c), `${c.id}: caller stream`);
    assert.deepEqual(other.bot.map((b) => [b.startSample, b.samples]), c.bot.map((b) => [b.startSample, b.samples]));
  });
});

test('corpus: speech segments hold speech, the silence after a sentence holds none', { skip }, () => {
  for (const c of [...inGroup('clean'), ...inGroup('interruption')]) {
    const [segment] = c.truth.speech;
    assert.ok(segment !== undefined && c.truth.sentenceEnds[0] === segment.endSample, c.id);
    assert.ok(rmsDbfs(c.base.subarray(segment.startSample, segment.endSample)) > -26, `${c.id}: speech level`);
    assert.notEqual(c.base[segment.startSample], 0);
    assert.notEqual(c.base[segment.endSample - 1], 0);
    assert.ok(segment.endSample + msToSamples(2000) <= c.base.length, `${c.id}: >= 2 s after the sentence`);
    if (c.group === 'clean') assert.ok(c.base.subarray(segment.endSample).every((value) => value === 0), `${c.id}: silent tail`);
  }
});

test('corpus: a pause case has its silence at the labelled place, inside one turn, between 35 % and 75 % of the sentence', { skip }, () => {
  for (const c of inGroup('pause 800 ms')) {
    const [pause] = c.truth.pauses;
    const [first, second] = c.truth.speech;
    assert.ok(pause !== undefined && first !== undefined && second !== undefined);
    assert.equal(pause.endSample - pause.startSample, msToSamples(800));
    assert.equal(first.endSample, pause.startSample);
    assert.equal(second.startSample, pause.endSample);
    assert.equal(first.turn, second.turn);
    assert.ok(c.base.subarray(pause.startSample, pause.endSample).every((value) => value === 0), `${c.id}: silence`);
    assert.ok(lineSamples(c, pause.startSample, pause.endSample - pause.startSample).every((value) => Math.abs(value) <= 8), `${c.id}: silent on the line`);
    const spoken = first.endSample - first.startSample + second.endSample - second.startSample;
    const at = (first.endSample - first.startSample) / spoken;
    assert.ok(at >= 0.35 && at <= 0.75, `${c.id}: cut at ${at}`);
    assert.ok(rmsDbfs(c.base.subarray(second.startSample, second.endSample)) > -30, `${c.id}: the sentence goes on`);
  }
});

test('corpus: a noisy case is within 0.5 dB of its labelled SNR, noise throughout', { skip }, () => {
  const noisy = corpus.filter((c) => c.snrDb !== undefined);
  assert.ok(noisy.length >= 6);
  for (const c of noisy) {
    const [segment] = c.truth.speech;
    assert.ok(segment !== undefined && c.parts !== undefined);
    const speech = rmsDbfs(c.parts.speech.subarray(segment.startSample, segment.endSample));
    const noise = rmsDbfs(c.parts.noise.subarray(segment.startSample, segment.endSample));
    assert.ok(Math.abs(speech - noise - (c.snrDb ?? 0)) < 0.5, `${c.id}: SNR ${(speech - noise).toFixed(2)}`);
    assert.ok(rmsDbfs(c.parts.noise.subarray(0, msToSamples(300))) > speech - (c.snrDb ?? 0) - 10, `${c.id}: noise before the speech`);
  }
});

test('corpus: echo is the bot reply delayed and attenuated as labelled; an interruption starts 1-3 s into the reply', { skip }, () => {
  const echoes = [...inGroup('echo 12 dB'), ...inGroup('echo 12 dB dispersive')];
  assert.ok(echoes.some((c) => c.echo?.impulse !== undefined) && echoes.some((c) => c.echo?.impulse === undefined));
  for (const c of echoes) {
    assert.ok(c.echo !== undefined && c.expect.bargeIn === false && c.truth.speech.length === 0);
    const [bot] = c.bot;
    assert.ok(bot !== undefined);
    const line = callerStream(c);
    const echoStart = bot.startSample + c.echo.delaySamples;
    const echoed = line.subarray(echoStart, echoStart + bot.samples.length);
    assert.ok(Math.abs(rmsDbfs(echoed) - rmsDbfs(bot.samples) + 12) < 0.5, `${c.id}: echo loss ${(rmsDbfs(bot.samples) - rmsDbfs(echoed)).toFixed(2)} dB`);
    assert.ok(line.subarray(0, echoStart).every((value) => Math.abs(value) <= 8), `${c.id}: nothing before the echo`);
    const reference = referenceSamples(c, bot.startSample, 160);
    assert.deepEqual(reference, bot.samples.subarray(0, 160));
    assert.equal(referenceSamples(c, 0, 160), undefined);
  }
  for (const c of inGroup('interruption')) {
    const [onset] = c.truth.interruptions;
    const [bot] = c.bot;
    assert.ok(onset !== undefined && bot !== undefined && c.expect.bargeIn);
    assert.ok(onset - bot.startSample >= msToSamples(1000) && onset - bot.startSample <= msToSamples(3000), c.id);
    assert.ok(onset < bot.startSample + bot.samples.length, `${c.id}: the bot still plays`);
  }
  for (const c of inGroup('cough')) assert.ok(rmsDbfs(c.base) > -60 && c.expect.turns === 0, `${c.id}: a burst and no speech`);
});
