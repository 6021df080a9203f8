import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedTestdata } from '../../support/paths.ts';

/** One line of an ARI transcript (testdata/asterisk-22/ari/<scenario>.jsonl). */
export interface Row {
  t_ms: number;
  dir: string;
  kind: string;
  stream?: string;
  text?: string;
  event?: Record<string, unknown>;
  method?: string;
  path?: string;
  req_headers?: [string, string][];
  req_body?: string | null;
  status?: number;
  reason?: string;
  headers?: [string, string][];
  body_raw?: string;
  body_json?: unknown;
  request?: string[];
  status_line?: string;
  body?: string | null;
  bytes_after_body?: string;
  code?: number;
  [key: string]: unknown;
}

/** The ARI transcripts folder, or the reason to skip. */
export function ariTestdata(): { dir: string } | { skip: string } {
  const root = sharedTestdata();
  if (root === undefined) return { skip: 'no shared testdata: set VOICEBOT_TESTDATA_DIR or put shared/ beside the repo' };
  return { dir: join(root, 'asterisk-22', 'ari') };
}

export function readRows(dir: string, scenario: string): Row[] {
  return readFileSync(join(dir, `${scenario}.jsonl`), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Row);
}

const TIMESTAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000/g;
const HTTP_DATE = /[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT/g;

/** Transcript ids (channels, bridges, connection ids, channel names) → the fake's. */
export class IdMap {
  readonly #map = new Map<string, string>();
  #pattern: RegExp | undefined;

  set(transcript: string, fake: string): void {
    if (transcript === '' || transcript === fake) return;
    this.#map.set(transcript, fake);
    this.#pattern = undefined;
  }

  get(transcript: string): string | undefined {
    return this.#map.get(transcript);
  }

  /** The text with every known transcript id replaced (ids are not prefixes of longer ids). */
  apply(text: string): string {
    if (this.#map.size === 0) return text;
    this.#pattern ??= new RegExp([...this.#map.keys()].sort((a, b) => b.length - a.length).map(escape).join('|') + '(?![0-9a-f])', 'g');
    return text.replace(this.#pattern, (found) => this.#map.get(found) ?? found);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Times and dates vary between runs; everything else must match. */
export function normalise(text: string): string {
  return text.replace(TIMESTAMP, '<time>').replace(HTTP_DATE, '<date>');
}

/** Compact JSON (key order kept) with ids mapped and times normalised. */
export function eventText(event: unknown, ids?: IdMap): string {
  const json = JSON.stringify(event);
  return normalise(ids === undefined ? json : ids.apply(json));
}

/**
 * Media control lines must match exactly, except queue_length in STATUS (timing: ±3 frames) and
 * queue_full in a STATUS asked for right after FLUSH_MEDIA (`flushRace`): MEDIA_XON comes on the
 * next 20 ms playout tick, which may fall between the two commands.
 */
export function sameMediaText(expected: string, actual: string, flushRace = false): boolean {
  if (expected === actual) return true;
  if (flushRace) return sameMediaText(expected.replace('queue_full:true', 'queue_full:false'), actual.replace('queue_full:true', 'queue_full:false'));
  const pattern = /^STATUS (.*)queue_length:(\d+)(.*)$/;
  const e = pattern.exec(expected);
  const a = pattern.exec(actual);
  if (e === null || a === null) return false;
  return e[1] === a[1] && e[3] === a[3] && Math.abs(Number(e[2]) - Number(a[2])) <= 3;
}

/** Lines in order, except that a MEDIA_XON may come just before the STATUS it follows in `want`. */
export function sameMediaTexts(want: readonly string[], got: readonly string[]): boolean {
  if (want.length !== got.length) return false;
  const swapped = [...got];
  for (let i = 0; i + 1 < want.length; i += 1) {
    if (want[i + 1] === 'MEDIA_XON' && swapped[i] === 'MEDIA_XON' && (want[i] ?? '').startsWith('STATUS')) [swapped[i], swapped[i + 1]] = [swapped[i + 1] as string, 'MEDIA_XON'];
  }
  return want.every((text, i) => sameMediaText(text, swapped[i] ?? '', want[i + 1] === 'MEDIA_XON'));
}

/** Header names in order (values are compared separately where they are stable). */
export function headerNames(headers: readonly [string, string][]): string[] {
  return headers.map(([name]) => name);
}
