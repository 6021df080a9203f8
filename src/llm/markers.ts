/**
 * Plain-text tool protocol for models without tool support: the model writes `[END_CALL: reason]`,
 * `[TRANSFER: name]` or `[TOOL name {"arg": value}]`. The extractor removes markers from the streamed text (they are never
 * spoken) and collects them; a `[` that may start a marker is held until it is decided.
 */
export interface TextMarker {
  name: 'end_call' | 'transfer_call' | 'tool';
  argument: string;
  /** For `tool`: the tool's name as written. */
  tool?: string;
}

const MARKER = /^\[\s*(END[_ ]CALL|TRANSFER(?:[_ ]CALL)?)\s*(?::|\s)?\s*([^\]\n]{0,80}?)\s*\]/i;
const TOOL_MARKER = /^\[\s*TOOL\s*:?\s*([A-Za-z][A-Za-z0-9_]{0,63})\s*:?\s*([^\]\n]{0,400}?)\s*\]/i;
const HEADS = ['END_CALL', 'END CALL', 'TRANSFER', 'TOOL'];
const MAX_MARKER_CHARS = 480;

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
      const tool = TOOL_MARKER.exec(rest);
      if (tool !== null) {
        this.markers.push({ name: 'tool', tool: (tool[1] ?? '').toLowerCase(), argument: (tool[2] ?? '').trim() });
        this.#pending = rest.slice(tool[0].length);
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

/**
 * A text-mode tool argument: a JSON object, `key=value` pairs, or (for a one-parameter tool) the
 * bare value. What cannot be read is passed on as the raw string, for validation to refuse.
 */
export function markerArguments(argument: string, paramNames: readonly string[]): unknown {
  const text = argument.trim();
  if (text === '') return {};
  if (text.startsWith('{')) {
    try { return JSON.parse(text) as unknown; } catch { return text; }
  }
  const pairs = [...text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("[^"]*"|[^,\s]+)/g)];
  if (pairs.length > 0) return Object.fromEntries(pairs.map((m) => [m[1] ?? '', (m[2] ?? '').replace(/^"|"$/g, '')]));
  const only = paramNames.length === 1 ? paramNames[0] : undefined;
  return only === undefined ? text : { [only]: text.replace(/^"|"$/g, '') };
}

const GOODBYE = /\b(good ?bye|bye(?: bye)?|farewell)\b/i;

/** Keyword rule for text mode: both sides said goodbye and the model wrote no marker. */
export function saidGoodbye(callerText: string, reply: string): boolean {
  return GOODBYE.test(callerText) && GOODBYE.test(reply);
}
