import type { RecordingSocket } from './ari-test-client.ts';
import { eventText, type IdMap, type Row, sameMediaTexts } from './transcript-compare.ts';

/** A socket the replay opened under a transcript stream name, from that transcript time on. */
export interface Opened {
  stream: string;
  fromMs: number;
  socket: RecordingSocket;
}

/** Where `core stop now` happened: transcript time and how many messages each socket had by then. */
export interface CoreStopMark {
  atMs: number;
  eventCounts: Map<string, number>;
}

/** The transcript rows of one opened socket: its stream, from its handshake to the next reuse of the name. */
export function rowsOf(rows: readonly Row[], opened: readonly Opened[], one: { stream: string; fromMs: number }): Row[] {
  const next = opened.find((o) => o.stream === one.stream && o.fromMs > one.fromMs)?.fromMs ?? Number.POSITIVE_INFINITY;
  return rows.filter((r) => r.stream === one.stream && r.t_ms >= one.fromMs && r.t_ms < next);
}

/** Compares what the replay's sockets received with the transcript's events, media texts and closes. */
export class RecordedChecks {
  readonly #rows: Row[];
  readonly #opened: Opened[];
  readonly ids: IdMap;
  readonly mismatches: string[];
  readonly compared: { events: number; mediaTexts: number };

  constructor(rows: Row[], opened: Opened[], ids: IdMap, mismatches: string[], compared: { events: number; mediaTexts: number }) {
    this.#rows = rows;
    this.#opened = opened;
    this.ids = ids;
    this.mismatches = mismatches;
    this.compared = compared;
  }

  events(coreStop: CoreStopMark | undefined): void {
    for (const opened of this.#opened) {
      const { stream, socket } = opened;
      if (!stream.startsWith('ari-events')) continue;
      const expected = rowsOf(this.#rows, this.#opened, opened).filter((r) => r.kind === 'event');
      const stopAt = coreStop?.eventCounts.get(stream);
      const split = coreStop === undefined ? expected.length : expected.filter((r) => r.t_ms < (coreStop?.atMs ?? 0)).length;
      const actual = socket.texts.map((t) => JSON.parse(t.text) as Record<string, unknown>);
      this.#compareEvents(stream, expected.slice(0, split).map((r) => r.event), actual.slice(0, stopAt ?? actual.length));
      if (coreStop !== undefined) this.#compareByChannel(stream, expected.slice(split).map((r) => r.event), actual.slice(stopAt ?? actual.length));
      this.#checkClose(rowsOf(this.#rows, this.#opened, opened), stream, socket);
    }
  }

  #compareEvents(stream: string, expected: unknown[], actual: unknown[]): void {
    const want = expected.map((e) => eventText(e, this.ids));
    const got = actual.map((e) => eventText(e));
    const types = (list: unknown[]) => list.map((e) => (e as { type: string }).type).join(' ');
    if (types(expected) !== types(actual)) {
      this.mismatches.push(`${stream}: event types\n  got  ${types(actual)}\n  want ${types(expected)}`);
      return;
    }
    this.compared.events += want.length;
    for (const [i, text] of want.entries()) {
      if (got[i] !== text) this.mismatches.push(`${stream}: event ${i}\n  got  ${got[i]}\n  want ${text}`);
    }
  }

  /** After `core stop now` Asterisk's threads interleave: compare each channel's own sequence. */
  #compareByChannel(stream: string, expected: unknown[], actual: unknown[]): void {
    const group = (list: unknown[], ids?: IdMap) => {
      const map = new Map<string, unknown[]>();
      for (const event of list) {
        const id = ((event as { channel?: { id: string } }).channel?.id) ?? 'bridge';
        const key = ids?.apply(id) ?? id;
        map.set(key, [...(map.get(key) ?? []), event]);
      }
      return map;
    };
    const want = group(expected, this.ids);
    const got = group(actual);
    for (const [id, events] of want) this.#compareEvents(`${stream} after core stop, channel ${id}`, events, got.get(id) ?? []);
    if (want.size !== got.size) this.mismatches.push(`${stream}: after core stop events for ${[...got.keys()].join()} (want ${[...want.keys()].join()})`);
  }

  #checkClose(rows: Row[], stream: string, socket: RecordingSocket): void {
    const close = rows.find((r) => r.dir === 'ast->app' && r.kind === 'ws-close');
    const eof = rows.some((r) => r.dir === 'ast->app' && r.kind === 'tcp-eof');
    const appDropped = this.#rows.some((r) => r.kind === 'note' && /abruptly|without a close frame/.test(r.text ?? '')) && close === undefined;
    if (close !== undefined && socket.closeInfo?.code !== close.code) this.mismatches.push(`${stream}: closed with ${socket.closeInfo?.code}, expected ${close.code}`);
    if (close === undefined && eof && !appDropped && socket.closeInfo?.code !== 1006) this.mismatches.push(`${stream}: expected a TCP end without close frame, got ${socket.closeInfo?.code}`);
  }

  media(): void {
    for (const opened of this.#opened) {
      const { stream, socket } = opened;
      if (!stream.startsWith('media')) continue;
      const rows = rowsOf(this.#rows, this.#opened, opened);
      const want = rows.filter((r) => r.dir === 'ast->app' && r.kind === 'ws-text').map((r) => this.ids.apply(r.text ?? ''));
      const got = socket.texts.map((t) => t.text);
      const same = sameMediaTexts(want, got);
      this.compared.mediaTexts += want.length;
      if (!same) this.mismatches.push(`${stream}: media text\n  got  ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`);
      const size = Number(/optimal_frame_size:(\d+)/.exec(got[0] ?? '')?.[1] ?? 0);
      const sizes = socket.binaries.slice(0, -1).map((b) => b.data.length).filter((n) => n !== size);
      if (sizes.length > 0) this.mismatches.push(`${stream}: caller frames of ${[...new Set(sizes)].join()} bytes (optimal ${size})`);
      this.#checkClose(rows, stream, socket);
    }
  }
}
