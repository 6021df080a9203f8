/**
 * Streaming post-filter that keeps replies speakable: no markdown, no emoji, no URLs read aloud,
 * newlines turned into sentence breaks. Text is released word by word: a plain word goes out at
 * once (the first delta is not delayed), anything that may still become a URL, link or markdown
 * construct is held until the next whitespace.
 */
export class SpeakableFilter {
  #pending = '';
  #lastChar = '';
  #atLineStart = true;
  #spaceOwed = false;

  /** Feed a delta; returns the text that is safe to speak now (possibly empty). */
  push(text: string): string {
    this.#pending += text;
    const lastSpace = lastWhitespace(this.#pending);
    const rest = this.#pending.slice(lastSpace + 1);
    const releaseAll = rest === '' || isPlainWord(rest);
    const cut = releaseAll ? this.#pending.length : lastSpace + 1;
    const segment = this.#pending.slice(0, cut);
    this.#pending = this.#pending.slice(cut);
    return this.#clean(segment);
  }

  /** End of reply: release whatever is held. */
  flush(): string {
    const segment = this.#pending;
    this.#pending = '';
    return this.#clean(segment);
  }

  #clean(segment: string): string {
    if (segment === '') return '';
    let text = segment
      .replace(/!?\[([^\]\n]*)\]\([^)\n]*\)/g, '$1')
      .replace(/\]\([^)\s]*\)/g, '')
      .replace(/\b(?:https?:\/\/|www\.)\S*?(?=[.,!?;:]*(?:\s|$))/gi, '')
      .replace(/[[\]*_`~|]/g, '')
      .replace(EMOJI, '')
      .replace(/\(\s*\)/g, '');
    const lineStart = this.#atLineStart ? /(^|\n)[ \t]*(?:#{1,6}|[-+>\u2022])[ \t]+/g : /(\n)[ \t]*(?:#{1,6}|[-+>\u2022])[ \t]+/g;
    text = text.replace(lineStart, '$1');
    const lastChar = this.#lastChar;
    text = text.replace(/([.!?:;,])?[ \t]*\n[\s]*/g, (_match, punct: string | undefined, offset: number) => {
      if (punct !== undefined) return `${punct} `;
      if (offset === 0 && (lastChar === '' || /[.!?:;,]/.test(lastChar))) return lastChar === '' ? '' : ' ';
      return '. ';
    });
    text = text.replace(/[ \t]+/g, ' ').replace(/ +([.,!?;:])/g, '$1');
    if (/[^ \t]/.test(segment)) this.#atLineStart = /\n[ \t]*$/.test(segment);
    // A trailing space is owed to the next word, so a later "." or a removed emoji never leaves " .".
    const owedBefore = this.#spaceOwed || text.startsWith(' ');
    const trailing = text.endsWith(' ');
    text = text.trim();
    if (text === '') {
      this.#spaceOwed = owedBefore || trailing;
      return '';
    }
    if (owedBefore && this.#lastChar !== '' && !/^[.,!?;:]/.test(text)) text = ` ${text}`;
    this.#spaceOwed = trailing;
    this.#lastChar = text.at(-1) ?? '';
    return text;
  }
}

/** Filter a whole reply at once (same rules as the streaming filter). */
export function speakable(text: string): string {
  const filter = new SpeakableFilter();
  return (filter.push(text) + filter.flush()).trim();
}

const EMOJI = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{1F3FB}-\u{1F3FF}\u200D\uFE0F\u20E3]/gu;
const URL_STARTS = ['http://', 'https://', 'www.'];

/** A word that can be spoken as is and cannot grow into a URL or markdown. */
function isPlainWord(word: string): boolean {
  if (!/^[\p{L}\p{N}][\p{L}\p{N}'\u2019,.!?;:-]*$/u.test(word)) return false;
  const lower = word.toLowerCase();
  return !URL_STARTS.some((start) => start.startsWith(lower) || lower.startsWith(start));
}

function lastWhitespace(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text[i];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') return i;
  }
  return -1;
}
