import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MarkerExtractor, saidGoodbye } from '../../src/llm/markers.ts';
import { SpeakableFilter, speakable } from '../../src/llm/speakable.ts';

/** Feed text in pieces of `size` characters, as a stream would. */
function streamed(text: string, size: number): string {
  const filter = new SpeakableFilter();
  let out = '';
  for (let i = 0; i < text.length; i += size) out += filter.push(text.slice(i, i + size));
  return (out + filter.flush()).trim();
}

const CASES: [string, string][] = [
  ['**Sure!** We open at *nine*.', 'Sure! We open at nine.'],
  ['Visit https://example.com/hours?x=1 for details.', 'Visit for details.'],
  ['See www.example.org or call us.', 'See or call us.'],
  ['Read [our page](https://example.com/a) today.', 'Read our page today.'],
  ['Great news 😀🎉 the order shipped 👍🏽.', 'Great news the order shipped.'],
  ['# Opening hours\n- Monday 9 to 5\n- Tuesday 10 to 4', 'Opening hours. Monday 9 to 5. Tuesday 10 to 4'],
  ['Our hours:\n\n1. Monday\n2. Tuesday', 'Our hours: 1. Monday. 2. Tuesday'],
  ['Use `code` and __bold__ and ~~strike~~.', 'Use code and bold and strike.'],
  ['Press # then 5 to reach us.', 'Press # then 5 to reach us.'],
  ['> quoted line\nplain', 'quoted line. plain'],
  ['Hello, how can I help you today?', 'Hello, how can I help you today?'],
  ['It is on https://x.example/a.b. Anything else?', 'It is on. Anything else?'],
];

test('post-filter: no markdown, emoji or URLs; newlines become sentence breaks', () => {
  for (const [input, expected] of CASES) assert.equal(speakable(input), expected, JSON.stringify(input));
});

test('post-filter gives the same text whether fed whole, by character or by token-sized pieces', () => {
  for (const [input, expected] of CASES) {
    for (const size of [1, 2, 3, 5, 7]) assert.equal(streamed(input, size), expected, `${JSON.stringify(input)} in pieces of ${size}`);
  }
});

test('post-filter releases a plain first word at once but holds what may become a URL', () => {
  const filter = new SpeakableFilter();
  assert.equal(filter.push('Hello'), 'Hello', 'the first delta is not delayed');
  assert.equal(filter.push(' htt'), '', 'a URL prefix is held (the space goes out with the next word)');
  assert.equal(filter.push('ps://x.y/z'), '');
  assert.equal(filter.push(' there'), ' there');
  assert.equal(filter.flush(), '');
});

test('markers are removed from the text and collected, also when split across deltas', () => {
  const extractor = new MarkerExtractor();
  const pieces = ['Sure, one moment.', '\n[TRA', 'NSFER: ', 'sales]', ' Bye [not a marker] now [END', '_CALL]'];
  const text = pieces.map((p) => extractor.push(p)).join('') + extractor.flush();
  assert.equal(text, 'Sure, one moment.\n Bye [not a marker] now ');
  assert.deepEqual(extractor.markers, [
    { name: 'transfer_call', argument: 'sales' },
    { name: 'end_call', argument: '' },
  ]);
});

test('an unfinished marker at the end is released as text, never swallowed', () => {
  const extractor = new MarkerExtractor();
  assert.equal(extractor.push('I will [END'), 'I will ');
  assert.equal(extractor.flush(), '[END');
  assert.deepEqual(extractor.markers, []);
  assert.equal(speakable('I will [END'), 'I will END');
});

test('keyword rule needs a goodbye from both sides', () => {
  assert.equal(saidGoodbye('ok goodbye', 'Thanks for calling, bye!'), true);
  assert.equal(saidGoodbye('what is your address', 'Goodbye!'), false);
  assert.equal(saidGoodbye('bye', 'Is there anything else?'), false);
});
