import assert from 'node:assert/strict';
import { test } from 'node:test';
import { muLawDecode, muLawDecodeBytes, muLawEncode, muLawEncodeSamples, muLawRoundTrip } from '../../src/audio/g711.ts';
import { rmsDbfs, tone } from '../../src/audio/pcm.ts';

test('mu-law: reference code points (silence is 0xff, the extremes clip to ±32124)', () => {
  assert.equal(muLawEncode(0), 0xff);
  assert.equal(muLawDecode(0xff), 0);
  assert.equal(muLawDecode(0x7f), 0);
  assert.equal(muLawEncode(32767), 0x80);
  assert.equal(muLawEncode(-32768), 0x00);
  assert.equal(muLawDecode(0x80), 32124);
  assert.equal(muLawDecode(0x00), -32124);
  assert.equal(muLawEncode(1e9), 0x80, 'out-of-range input saturates');
  assert.equal(muLawDecode(0x1ff), muLawDecode(0xff), 'only the low 8 bits of a byte count');
});

test('mu-law: every byte decodes to a value that encodes back to itself (bar the two zeros)', () => {
  for (let byte = 0; byte < 256; byte += 1) {
    const back = muLawEncode(muLawDecode(byte));
    assert.equal(back, byte === 0x7f ? 0xff : byte, `byte ${byte}`);
  }
});

test('mu-law round trip: error within half a step of the segment, monotonic, sign-symmetric', () => {
  let previous = -Infinity;
  for (let sample = -32768; sample <= 32767; sample += 1) {
    const decoded = muLawDecode(muLawEncode(sample));
    const magnitude = Math.min(Math.abs(sample), 32635) + 0x84;
    const segment = Math.max(0, Math.floor(Math.log2(magnitude)) - 7);
    const bound = Math.abs(sample) > 32635 ? Math.abs(sample) - 32124 : 2 ** (segment + 2) + 1;
    assert.ok(Math.abs(decoded - sample) <= bound, `sample ${sample} -> ${decoded} (bound ${bound})`);
    assert.ok(decoded >= previous, `monotonic at ${sample}`);
    previous = decoded;
    if (sample > -32768 && sample <= 32635) assert.equal(muLawDecode(muLawEncode(-sample)), 0 - decoded);
  }
});

test('mu-law round trip of speech-level audio keeps its level (< 0.1 dB) and about 38 dB SNR', () => {
  const input = tone(440, 1000, 8000, -20);
  const output = muLawRoundTrip(input);
  assert.notEqual(output, input);
  assert.ok(Math.abs(rmsDbfs(output) - rmsDbfs(input)) < 0.1);
  const error = output.map((value, i) => value - (input[i] ?? 0));
  const snrDb = rmsDbfs(input) - rmsDbfs(error);
  assert.ok(snrDb > 35 && snrDb < 42, `SNR ${snrDb.toFixed(1)} dB`);
  assert.deepEqual(muLawDecodeBytes(muLawEncodeSamples(input)), output);
});
