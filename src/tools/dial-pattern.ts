import { VoicebotError } from '../errors.ts';

/** One Asterisk extension pattern from `transfer_patterns` (`_1XX`, `_2[0-4]XX`) or a literal extension. */
export interface DialPattern {
  /** The pattern as written (trimmed). */
  readonly text: string;
  /** Whole-string match of a trimmed extension; an empty extension never matches. */
  matches(extension: string): boolean;
}

type CharTest = (char: string) => boolean;

const between = (low: string, high: string): CharTest => (char) => char >= low && char <= high;

const CLASSES: Readonly<Record<string, CharTest>> = {
  X: between('0', '9'),
  Z: between('1', '9'),
  N: between('2', '9'),
};

function invalid(text: string, problem: string): VoicebotError {
  return new VoicebotError('DIAL_PATTERN_INVALID', `dial pattern '${text}': ${problem}`);
}

/** `[...]` body as Asterisk reads it: `a-b` is a range, a `-` that cannot form one is literal. */
function parseSet(text: string, body: readonly string[]): CharTest {
  if (body.length === 0) throw invalid(text, 'empty character set []');
  const tests: CharTest[] = [];
  for (let i = 0; i < body.length; i += 1) {
    const low = body[i] ?? '';
    const high = body[i + 2];
    if (body[i + 1] === '-' && high !== undefined) {
      if (high < low) throw invalid(text, `range ${low}-${high} is reversed; write ${high}-${low}`);
      tests.push(between(low, high));
      i += 2;
    } else {
      tests.push((char) => char === low);
    }
  }
  return (char) => tests.some((test) => test(char));
}

/**
 * Parse one pattern. `_` starts a pattern (X, Z, N, `[...]`, trailing `.` or `!`; `-` outside
 * brackets is ignored); anything else is a literal extension matched exactly.
 * @throws VoicebotError `DIAL_PATTERN_INVALID` naming the pattern and the problem.
 */
export function parseDialPattern(text: string): DialPattern {
  const trimmed = text.trim();
  if (trimmed === '') throw invalid(text, 'empty pattern; write an extension (214) or a pattern (_2XX)');
  if (/\s/u.test(trimmed)) throw invalid(trimmed, 'contains whitespace; separate patterns with commas');
  if (!trimmed.startsWith('_')) {
    return { text: trimmed, matches: (extension) => extension.trim() !== '' && extension.trim() === trimmed };
  }

  const chars = Array.from(trimmed.slice(1));
  const tests: CharTest[] = [];
  let tail: 'exact' | 'one-or-more' | 'zero-or-more' = 'exact';
  for (let i = 0; i < chars.length; i += 1) {
    const char = chars[i] ?? '';
    if (char === '.' || char === '!') {
      if (chars.slice(i + 1).some((rest) => rest !== '-')) {
        throw invalid(trimmed, `'${char}' may only be the last character`);
      }
      tail = char === '.' ? 'one-or-more' : 'zero-or-more';
      break;
    }
    if (char === '-') continue;
    if (char === '[') {
      const close = chars.indexOf(']', i + 1);
      if (close < 0) throw invalid(trimmed, "unclosed '['; add the closing ']'");
      tests.push(parseSet(trimmed, chars.slice(i + 1, close)));
      i = close;
      continue;
    }
    const known = CLASSES[char.toUpperCase()];
    tests.push(known ?? ((candidate) => candidate === char));
  }
  if (tests.length === 0 && tail === 'exact') {
    throw invalid(trimmed, "'_' alone matches nothing; add digits or X/Z/N after it");
  }

  return {
    text: trimmed,
    matches(extension: string): boolean {
      const given = Array.from(extension.trim());
      if (given.length === 0 || given.length < tests.length) return false;
      if (!tests.every((test, index) => test(given[index] ?? ''))) return false;
      const extra = given.length - tests.length;
      if (tail === 'exact') return extra === 0;
      if (tail === 'one-or-more') return extra >= 1;
      return true;
    },
  };
}

/** Parse every pattern of a list (e.g. the split `transfer_patterns` value), failing on the first bad one. */
export function parseDialPatterns(list: readonly string[]): DialPattern[] {
  return list.map((text) => parseDialPattern(text));
}

/** The first pattern that matches the extension, or `undefined`. */
export function matchDialPattern(extension: string, patterns: readonly DialPattern[]): DialPattern | undefined {
  return patterns.find((pattern) => pattern.matches(extension));
}

const FILLER_WORDS = /\b(?:extension|ext|number)\b/giu;
const SPOKEN_EXTENSION = /^[\d*#+\s.\-]+$/u;

/**
 * What a model passes from speech ("2 1 4", "2-1-4", "extension 214") reduced to dialable
 * characters (digits, `*`, `#`, `+`). Anything else (e.g. "PJSIP/999") is only trimmed, so it
 * cannot slip past a digit pattern.
 */
export function normalizeSpokenExtension(raw: string): string {
  const trimmed = raw.trim();
  const words = trimmed.replace(FILLER_WORDS, ' ');
  if (!SPOKEN_EXTENSION.test(words)) return trimmed;
  const dialable = words.replace(/[^\d*#+]/gu, '');
  return dialable === '' ? trimmed : dialable;
}
