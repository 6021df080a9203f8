/**
 * Words a sentence does not end on: a turn whose recognised text ends with one of these is held
 * open longer ("I'd like a table for ... two"). Only a real model's text is a cue; the tiny test
 * model's words are not language.
 */
const CONTINUATION_WORDS = new Set([
  'a', 'an', 'the', 'and', 'or', 'but', 'to', 'for', 'of', 'in', 'on', 'at', 'with', 'from', 'by', 'about',
  'my', 'your', 'our', 'their', 'his', 'her', 'its', 'is', 'are', 'was', 'were', 'be', 'am', 'i', "i'm", 'we', 'you',
  'if', 'because', 'so', 'that', 'which', 'who', 'um', 'uh', 'er', 'like', 'would', 'could', 'can', 'will', 'want', "i'd",
]);

export function endsUnfinished(text: string): boolean {
  const words = text.trim().toLowerCase().split(/\s+/);
  const last = words[words.length - 1] ?? '';
  return last !== '' && CONTINUATION_WORDS.has(last);
}
