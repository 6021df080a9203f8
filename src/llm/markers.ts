/**
 * Plain-text tool protocol for models without tool support: the model writes `[END_CALL: reason]`
 * or `[TRANSFER: name]`. The extractor removes markers from the streamed text (they are never
 * spoken) and collects them; a `[` that may start a marker is held until it is decided.
 */
export interface TextMarker {
  name: 'end_call' | 'transfer_call';
  argument: string;
}

const MARKER = /^\[\s*(END[_ ]CALL|TRANSFER(?:[_ ]CALL)?)\s*(?::|\s)?\s*([^\]\n]{0,80}?)\s*\]/i;
const HEADS = ['END_CALL', 'END CALL', 'TRANSFER'];
const MAX_MARKER_CHARS = 120;

export class MarkerExtractor {
  #pending = '';
  readonly markers: TextMarker[] = [];

  /** Feed a delta; returns the text outside markers that is decided now. */
  push(text: string): string {
    this.#pending += text;
    let out = '';
    for (;;) {
      const open = this.#pending.indexOf('[');
      if (open === -1) {
        out += this.#pending;
        this.#pending = '';
        return out;
      }
      out += this.#pending.slice(0, open);
      const rest = this.#pending.slice(open);
      const match = MARKER.exec(rest);
      if (match !== null) {
        const head = (match[1] ?? '').toUpperCase();
        this.markers.push({ name: head.startsWith('END') ? 'end_call' : 'transfer_call', argument: (match[2] ?? '').trim() });
        this.#pending = rest.slice(match[0].length);
        continue;
      }
      if (mayBecomeMarker(rest)) {
        this.#pending = rest;
        return out;
      }
      out += '[';
      this.#pending = rest.slice(1);
    }
  }

  /** End of reply: an unfinished marker is released as text. */
  flush(): string {
    const rest = this.#pending;
    this.#pending = '';
    return rest;
  }
}

function mayBecomeMarker(rest: string): boolean {
  if (rest.length > MAX_MARKER_CHARS || rest.includes(']') || rest.includes('\n')) return false;
  const head = rest.slice(1).trimStart().toUpperCase();
  return HEADS.some((candidate) => candidate.startsWith(head) || head.startsWith(candidate));
}

const GOODBYE = /\b(good ?bye|bye(?: bye)?|farewell)\b/i;

/** Keyword rule for text mode: both sides said goodbye and the model wrote no marker. */
export function saidGoodbye(callerText: string, reply: string): boolean {
  return GOODBYE.test(callerText) && GOODBYE.test(reply);
}
