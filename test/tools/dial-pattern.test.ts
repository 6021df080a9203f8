import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VoicebotError } from '../../src/errors.ts';
import {
  matchDialPattern,
  normalizeSpokenExtension,
  parseDialPattern,
  parseDialPatterns,
} from '../../src/tools/dial-pattern.ts';

/** [pattern, extension, matches] as Asterisk's dialplan would decide them. */
const SEMANTICS: readonly (readonly [string, string, boolean])[] = [
  // the transfer whitelist example
  ['_2XX', '214', true],
  ['_2XX', '9005551234', false],
  ['_2XX', '21', false],
  ['_2XX', '2145', false],
  ['_2XX', '2A4', false],
  ['_1XX', '100', true],
  ['_1XX', '199', true],
  ['_1XX', '200', false],
  // X, Z, N edges
  ['_X', '0', true],
  ['_X', '9', true],
  ['_X', 'a', false],
  ['_Z', '0', false],
  ['_Z', '1', true],
  ['_Z', '9', true],
  ['_N', '0', false],
  ['_N', '1', false],
  ['_N', '2', true],
  ['_N', '9', true],
  ['_NXXNXXXXXX', '2125551234', true],
  ['_NXXNXXXXXX', '2121551234', false],
  // case-insensitive X/Z/N
  ['_2xx', '214', true],
  ['_zn', '12', true],
  ['_zn', '11', false],
  // sets, ranges, several ranges
  ['_2[0-4]XX', '2045', true],
  ['_2[0-4]XX', '2450', true],
  ['_2[0-4]XX', '2599', false],
  ['_[13-5]X', '10', true],
  ['_[13-5]X', '20', false],
  ['_[13-5]X', '30', true],
  ['_[13-5]X', '50', true],
  ['_[13-5]X', '60', false],
  ['_[0-27-9]', '8', true],
  ['_[0-27-9]', '5', false],
  ['_[a-c]1', 'b1', true],
  ['_[a-c]1', 'd1', false],
  ['_[*#]X', '#5', true],
  ['_[1-]', '-', true],
  ['_[X]', '5', false],
  ['_[X]', 'X', true],
  // '.' needs one or more, '!' allows zero
  ['_9.', '9', false],
  ['_9.', '91', true],
  ['_9.', '9005551234', true],
  ['_9!', '9', true],
  ['_9!', '9005551234', true],
  ['_9!', '8', false],
  ['_.', '1', true],
  // literal *, #, + and letters
  ['_*72X', '*725', true],
  ['_*72X', '#725', false],
  ['_XXX#', '123#', true],
  ['_XXX#', '1234', false],
  ['_+1NXX', '+1212', true],
  ['_+1NXX', '1212', false],
  ['_A1', 'A1', true],
  ['_A1', 'a1', false],
  // '-' outside brackets is ignored
  ['_1-XXX', '1234', true],
  ['_1-X-X-X', '1000', true],
  ['_2XX.-', '2145', true],
  // literal (no '_') extensions match exactly
  ['100', '100', true],
  ['100', '1000', false],
  ['1000', '100', false],
  ['_100', '100', true],
  ['_100', '1000', false],
  ['XXX', '123', false],
  ['XXX', 'XXX', true],
  // extensions are trimmed; empty never matches
  ['_2XX', ' 214 ', true],
  ['100', ' 100\n', true],
  ['_!', '', false],
  ['_9!', '   ', false],
  ['100', '', false],
];

for (const [pattern, extension, expected] of SEMANTICS) {
  test(`${pattern} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(extension)}`, () => {
    assert.equal(parseDialPattern(pattern).matches(extension), expected);
  });
}

const INVALID: readonly (readonly [string, RegExp])[] = [
  ['', /empty pattern/],
  ['   ', /empty pattern/],
  ['_', /'_' alone/],
  ['_-', /'_' alone/],
  ['_2[0-4XX', /unclosed '\['/],
  ['_2[', /unclosed '\['/],
  ['_2[]XX', /empty character set/],
  ['_9.1', /'\.' may only be the last/],
  ['_9!X', /'!' may only be the last/],
  ['_..', /'\.' may only be the last/],
  ['_[4-0]', /reversed/],
  ['_1XX _2XX', /whitespace/],
];

for (const [pattern, problem] of INVALID) {
  test(`${JSON.stringify(pattern)} is rejected with DIAL_PATTERN_INVALID`, () => {
    assert.throws(() => parseDialPattern(pattern), (error: unknown) => {
      assert.ok(error instanceof VoicebotError);
      assert.equal(error.code, 'DIAL_PATTERN_INVALID');
      assert.match(error.message, problem);
      if (pattern.trim() !== '') assert.ok(error.message.includes(pattern.trim()), error.message);
      return true;
    });
  });
}

test('parseDialPattern keeps the trimmed text', () => {
  assert.equal(parseDialPattern('  _2[0-4]XX ').text, '_2[0-4]XX');
});

test('matchDialPattern returns the first matching pattern of the whitelist', () => {
  const whitelist = parseDialPatterns(['_1XX', '_2[0-4]XX', '_2XXX', '214']);
  assert.equal(matchDialPattern('150', whitelist)?.text, '_1XX');
  assert.equal(matchDialPattern('2345', whitelist)?.text, '_2[0-4]XX');
  assert.equal(matchDialPattern('2545', whitelist)?.text, '_2XXX');
  assert.equal(matchDialPattern('214', whitelist)?.text, '214');
  assert.equal(matchDialPattern('9005551234', whitelist), undefined);
  assert.equal(matchDialPattern('214', []), undefined);
});

test('parseDialPatterns fails on the first bad pattern and names it', () => {
  assert.throws(() => parseDialPatterns(['_1XX', '_2[0-4XX', '_3[]']), /dial pattern '_2\[0-4XX'/);
});

const SPOKEN: readonly (readonly [string, string])[] = [
  ['214', '214'],
  ['2 1 4', '214'],
  ['2-1-4', '214'],
  ['2.1.4', '214'],
  [' 214 ', '214'],
  ['extension 214', '214'],
  ['Extension 2 1 4', '214'],
  ['ext. 214', '214'],
  ['EXT 214', '214'],
  ['number 2-1-4', '214'],
  ['extension number 214', '214'],
  ['*72 5', '*725'],
  ['+1 212 555 1234', '+12125551234'],
  ['123#', '123#'],
  ['PJSIP/999', 'PJSIP/999'],
  [' PJSIP/999 ', 'PJSIP/999'],
  ['214; hangup', '214; hangup'],
  ['two one four', 'two one four'],
  ['extension', 'extension'],
  ['', ''],
  ['extensions 214', 'extensions 214'],
];

for (const [raw, expected] of SPOKEN) {
  test(`normalizeSpokenExtension(${JSON.stringify(raw)}) is ${JSON.stringify(expected)}`, () => {
    assert.equal(normalizeSpokenExtension(raw), expected);
  });
}

test('a non-numeric channel string stays unmatched by digit patterns after normalizing', () => {
  const whitelist = parseDialPatterns(['_1XX', '_2[0-4]XX', '_9.']);
  assert.equal(matchDialPattern(normalizeSpokenExtension('PJSIP/999'), whitelist), undefined);
  assert.equal(matchDialPattern(normalizeSpokenExtension('extension 1 0 5'), whitelist)?.text, '_1XX');
});
