import { abortable } from '../runtime/abortable.ts';

/**
 * Cuts streamed LLM text into sentences as soon as each one is complete, so the first sentence can
 * be spoken while the model is still writing. A boundary is `.`, `!`, `?` or `…` (plus closing
 * quotes/brackets) followed by whitespace, or a line break; not after an abbreviation, an initial or
 * a list number. Sentences longer than `maxChars` are cut at a comma, else at a space.
 * Markdown marks (`*`, `#`, backticks, bullets) are dropped: they are not spoken.
 */
export interface SentenceSplitterOptions {
  maxChars?: number;
}

const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'vs', 'etc', 'e.g', 'i.e', 'a.m', 'p.m',
  'no', 'nos', 'approx', 'inc', 'ltd', 'co', 'corp', 'dept', 'est', 'fig', 'jan', 'feb', 'mar',
  'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'mon', 'tue', 'wed', 'thu', 'fri',
  'sat', 'sun', 'ave', 'rd', 'blvd', 'tel', 'ext', 'min', 'max', 'u.s', 'u.k',
]);

const CLOSERS = new Set(['"', "'", ')', ']', '”', '’', '»', '*', '_', '`']);

/** True when the text has something to say (a letter or digit). */
export function isSpeakable(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

function cleanMarkdown(text: string): string {
  return text
    .replace(/[*`#_]+/g, '')
    .replace(/^\s*[-•]\s+/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Synchronous core: push text deltas, take the sentences completed so far. */
export class SentenceSplitter {
  readonly maxChars: number;
  #buffer = '';

  constructor(options: SentenceSplitterOptions = {}) {
    this.maxChars = options.maxChars ?? 300;
  }

  push(delta: string): string[] {
    this.#buffer += delta;
    const out: string[] = [];
    for (;;) {
      const end = this.#findBoundary();
      if (end === -1) break;
      this.#emit(this.#buffer.slice(0, end), out);
      this.#buffer = this.#buffer.slice(end);
    }
    while (this.#buffer.length > this.maxChars) {
      const cut = this.#cutPoint(this.#buffer);
      this.#emit(this.#buffer.slice(0, cut), out);
      this.#buffer = this.#buffer.slice(cut);
    }
    return out;
  }

  /** End of stream: whatever is left is the last sentence. */
  flush(): string[] {
    const out: string[] = [];
    this.#emit(this.#buffer, out);
    this.#buffer = '';
    return out;
  }

  #emit(raw: string, out: string[]): void {
    const text = cleanMarkdown(raw);
    if (!isSpeakable(text)) return;
    if (text.length <= this.maxChars) { out.push(text); return; }
    let rest = text;
    while (rest.length > this.maxChars) {
      const cut = this.#cutPoint(rest);
      const head = rest.slice(0, cut).trim();
      if (isSpeakable(head)) out.push(head);
      rest = rest.slice(cut);
    }
    if (isSpeakable(rest)) out.push(rest.trim());
  }

  /** Index just after a complete sentence in the buffer, or -1. */
  #findBoundary(): number {
    const text = this.#buffer;
    for (let i = 0; i < text.length; i += 1) {
      const char = text[i]!;
      if (char === '\n') {
        if (isSpeakable(text.slice(0, i))) return i + 1;
        continue;
      }
      if (char !== '.' && char !== '!' && char !== '?' && char !== '…') continue;
      let end = i + 1;
      while (end < text.length && (CLOSERS.has(text[end]!) || '.!?…'.includes(text[end]!))) end += 1;
      if (end >= text.length) return -1; // need the next character to decide
      if (!/\s/.test(text[end]!)) continue; // 3.5, e.g., example.com
      if (char === '.' && this.#isAbbreviation(text.slice(0, i))) continue;
      return end;
    }
    return -1;
  }

  #isAbbreviation(before: string): boolean {
    const word = /([\p{L}\p{N}.]+)$/u.exec(before)?.[1] ?? '';
    if (word === '') return false;
    if (ABBREVIATIONS.has(word.toLowerCase())) return true;
    if (/^\p{Lu}$/u.test(word)) return true; // an initial: "J. Smith"
    // "1." at the start of a line is a list number, not a sentence.
    return /^\d{1,2}$/.test(word) && /(^|\n)\s*\d{1,2}$/.test(before);
  }

  #cutPoint(text: string): number {
    const window = text.slice(0, this.maxChars);
    const comma = Math.max(window.lastIndexOf(', '), window.lastIndexOf('; '), window.lastIndexOf(': '));
    if (comma > this.maxChars / 3) return comma + 1;
    const space = window.lastIndexOf(' ');
    if (space > this.maxChars / 3) return space + 1;
    return this.maxChars;
  }
}

/** Adapter stage: LLM text deltas in, complete speakable sentences out. */
export async function* splitSentences(deltas: AsyncIterable<string>, options: SentenceSplitterOptions & { signal?: AbortSignal } = {}): AsyncGenerator<string> {
  const splitter = new SentenceSplitter(options);
  for await (const delta of abortable(deltas, options.signal)) {
    yield* splitter.push(delta);
  }
  yield* splitter.flush();
}
