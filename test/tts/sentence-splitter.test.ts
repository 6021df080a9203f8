import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SentenceSplitter, splitSentences } from '../../src/tts/sentence-splitter.ts';

function splitByChars(text: string, maxChars?: number): string[] {
  const splitter = new SentenceSplitter({ maxChars });
  const out: string[] = [];
  for (const char of text) out.push(...splitter.push(char));
  return [...out, ...splitter.flush()];
}

test('sentences end at . ! ? … and line breaks, not at abbreviations, initials, decimals or list numbers', () => {
  assert.deepEqual(splitByChars('Hello! Dr. Smith sees you at 3.30 p.m. today. It costs $4.50, right? Ask J. Doe.\n1. First item\n2. Second item\nOK… "Quoted." Done'), [
    'Hello!',
    'Dr. Smith sees you at 3.30 p.m. today.',
    'It costs $4.50, right?',
    'Ask J. Doe.',
    '1. First item',
    '2. Second item',
    'OK…',
    '"Quoted."',
    'Done',
  ]);
});

test('a sentence is emitted as soon as the next character shows it is complete', () => {
  const splitter = new SentenceSplitter();
  assert.deepEqual(splitter.push('Sure thing.'), []);
  assert.deepEqual(splitter.push(' Let'), ['Sure thing.']);
  assert.deepEqual(splitter.flush(), ['Let']);
});

test('no empty sentences: markdown, punctuation runs and whitespace are dropped', () => {
  assert.deepEqual(splitByChars('**Great!** ... \n\n - * \n# Title\n`code` here.  '), ['Great!', 'Title', 'code here.']);
  assert.deepEqual(splitByChars('   '), []);
});

test('long sentences are cut at a comma, else at a space, never above maxChars', () => {
  const long = 'This is a rather long sentence, which keeps going with many words and no full stop at all for quite a while';
  const parts = splitByChars(long, 50);
  assert.ok(parts.length >= 3);
  assert.ok(parts.every((part) => part.length <= 50), JSON.stringify(parts));
  assert.equal(parts[0], 'This is a rather long sentence,');
  assert.equal(parts.join(' '), long);
  assert.ok(splitByChars('x'.repeat(120), 50).every((part) => part.length <= 50));
});

test('splitSentences adapts an async stream of deltas', async () => {
  async function* deltas() { yield* ['Of cou', 'rse. The table', ' is booked', ' for 7 p.m. tonight. ', 'Anything else?']; }
  const out: string[] = [];
  for await (const sentence of splitSentences(deltas())) out.push(sentence);
  assert.deepEqual(out, ['Of course.', 'The table is booked for 7 p.m. tonight.', 'Anything else?']);
});
