import type { FakeAri, FakeAriCall } from '../../../src/simulate/ari/fake-ari.ts';
import { tone } from '../../../src/audio/pcm.ts';
import { rawRequest, rawUpgrade, RecordingSocket, sleep } from './ari-test-client.ts';
import { type Opened, RecordedChecks, rowsOf } from './transcript-checks.ts';
import { headerNames, IdMap, normalise, type Row } from './transcript-compare.ts';

export interface ReplayConfig {
  /** Dialplan variables set before Stasis(), per extension (e.g. CALLER_SEGMENT=gold). */
  variables?: Record<string, Record<string, string>>;
  /** Rows mentioning any of these transcript ids are not replayed or expected (AudioSocket parts). */
  skipIds?: string[];
  /** A note that ends the replay (the rest needs what the fake does not simulate). */
  stopAtNote?: RegExp;
  /** Longest real pause between two replayed actions. */
  maxGapMs?: number;
}

/**
 * Re-enacts a transcript against the fake: the same calls placed, the same requests and media
 * commands sent in order (ids mapped), the caller's DTMF and hangups triggered where the
 * transcript shows their events. Differences are collected in `mismatches`.
 */
export class Replay {
  readonly mismatches: string[] = [];
  /** How much was compared (a replay that compares nothing must fail). */
  readonly compared = { replies: 0, events: 0, mediaTexts: 0 };
  readonly ids = new IdMap();
  /** The socket now open under each transcript stream name (sends go there). */
  readonly sockets = new Map<string, RecordingSocket>();
  /** Every socket opened, with the transcript time span its stream name covered. */
  readonly #opened: Opened[] = [];
  readonly calls = new Map<string, FakeAriCall>();
  readonly #fake: FakeAri;
  readonly #rows: Row[];
  readonly #config: ReplayConfig;
  #lastActionMs = Number.NEGATIVE_INFINITY;
  #pendingDtmf: string | undefined;
  #streamer: NodeJS.Timeout | undefined;
  #coreStop: { promise: Promise<void>; eventCounts: Map<string, number>; atMs: number } | undefined;

  constructor(fake: FakeAri, rows: Row[], config: ReplayConfig = {}) {
    this.#fake = fake;
    this.#config = config;
    const skip = config.skipIds ?? [];
    const stop = config.stopAtNote === undefined ? -1 : rows.findIndex((r) => r.kind === 'note' && config.stopAtNote?.test(r.text ?? '') === true);
    this.#rows = (stop < 0 ? rows : rows.slice(0, stop)).filter((r) => !skip.some((id) => JSON.stringify(r).includes(id)));
  }

  async run(): Promise<void> {
    for (const [index, row] of this.#rows.entries()) await this.#step(row, index);
    await sleep(400);
    await this.#coreStop?.promise;
    clearInterval(this.#streamer);
    const checks = new RecordedChecks(this.#rows, this.#opened, this.ids, this.mismatches, this.compared);
    checks.events(this.#coreStop);
    checks.media();
  }

  /**
   * Waits the transcript's time since the last action (capped), then until every media message the
   * capture app had received by then has arrived here too (the app reacted to them).
   */
  async #pace(row: Row): Promise<void> {
    const gap = Math.min(row.t_ms - this.#lastActionMs, this.#config.maxGapMs ?? 2000);
    if (gap > 0 && Number.isFinite(gap)) await sleep(gap);
    this.#lastActionMs = row.t_ms;
    for (const opened of this.#opened) {
      const { stream, socket } = opened;
      if (!stream.startsWith('media') || this.sockets.get(stream) !== socket) continue;
      const seen = rowsOf(this.#rows, this.#opened, opened).filter((r) => r.dir === 'ast->app' && r.kind === 'ws-text' && r.t_ms < row.t_ms).length;
      await socket.until(() => socket.texts.length >= seen || socket.closeInfo !== undefined, 1500, `${seen} texts on ${stream}`).catch(() => undefined);
    }
  }

  async #step(row: Row, index: number): Promise<void> {
    if (row.dir === 'app->ast' && row.kind === 'http') return this.#http(row, index);
    if (row.dir === 'app->ast' && row.kind === 'ws-handshake') return this.#handshake(row, index);
    if (row.dir === 'app->ast' && row.kind === 'ws-text') {
      await this.#pace(row);
      this.sockets.get(row.stream ?? '')?.ws.send(row.text ?? '');
      return;
    }
    if (row.dir === 'app->ast' && row.kind === 'ws-close') {
      await this.#pace(row);
      this.sockets.get(row.stream ?? '')?.ws.close(row.code ?? 1000, '');
      return;
    }
    if (row.kind === 'note') return this.#note(row, index);
    if (row.dir === 'ast->app' && row.kind === 'event') return this.#callerSide(row);
    if (row.dir === 'ast->app' && row.kind === 'ws-text' && (row.text ?? '').startsWith('DTMF_END')) {
      const digit = /digit:(\S)/.exec(row.text ?? '')?.[1] ?? '';
      if (this.#pendingDtmf === digit) this.#pendingDtmf = undefined;
      else await this.#dtmf(row, digit);
    }
    return undefined;
  }

  /** Caller acts the transcript shows only by their events: DTMF and a caller hangup. */
  async #callerSide(row: Row): Promise<void> {
    const event = row.event ?? {};
    const channelId = (event['channel'] as { id?: string } | undefined)?.id ?? '';
    const call = this.calls.get(channelId);
    if (call === undefined) return;
    if (event['type'] === 'ChannelDtmfReceived') {
      await this.#dtmf(row, String(event['digit']));
      this.#pendingDtmf = String(event['digit']);
    } else if (event['type'] === 'ChannelHangupRequest' && event['cause'] === 16 && !('soft' in event) && !('tech_cause' in event)) {
      await this.#pace(row);
      call.hangup();
    }
  }

  async #dtmf(row: Row, digit: string): Promise<void> {
    await this.#pace(row);
    const call = [...this.calls.values()].reverse().find((c) => !c.isDone);
    call?.sendDtmf(digit);
  }

  async #note(row: Row, index: number): Promise<void> {
    const text = row.text ?? '';
    const originate = /CLI: channel originate Local\/(\S+)@voicebot extension/.exec(text);
    if (originate !== null) return this.#originate(originate[1] as string, index);
    if (text.startsWith('CLI: core stop now')) {
      await this.#pace(row);
      const eventCounts = new Map([...this.sockets].map(([name, socket]) => [name, socket.texts.length]));
      this.#coreStop = { promise: this.#fake.coreStopNow(), eventCounts, atMs: row.t_ms };
      return undefined;
    }
    if (/drops its events WebSocket abruptly/.test(text)) {
      await this.#pace(row);
      [...this.sockets].filter(([name]) => name.startsWith('ari-events')).at(-1)?.[1].ws.terminate();
      return undefined;
    }
    if (/shuts the media socket down without a close frame/.test(text)) {
      await this.#pace(row);
      this.sockets.get('media-ws')?.ws.terminate();
      return undefined;
    }
    const stream = /app streams a 500 Hz tone.*one (\d+)-byte frame every 20 ms/.exec(text);
    if (stream !== null) {
      const frame = Buffer.alloc(Number(stream[1]));
      this.#streamer = setInterval(() => this.sockets.get('media-ws')?.ws.send(frame), 20);
      return undefined;
    }
    if (/app stopped streaming/.test(text)) {
      clearInterval(this.#streamer);
      return undefined;
    }
    return this.#mediaBurst(row);
  }

  /** `N messages of M bytes (T bytes)`, paced one per 20 ms when the note says so. */
  async #mediaBurst(row: Row): Promise<void> {
    const text = row.text ?? '';
    const all = [...text.matchAll(/(\d+) (?:messages|frames) of (\d+) bytes/g)].at(-1);
    if (all === undefined || !/^app (starts sending|sent) step/.test(text)) return;
    await this.#pace(row);
    const size = Number(all[2]);
    const total = Number(/\((\d+) bytes\)/.exec(text)?.[1] ?? Number(all[1]) * size);
    const realTime = /one per 20 ms/.test(text);
    const media = this.sockets.get('media-ws');
    for (let offset = 0; offset < total; offset += size) {
      media?.ws.send(Buffer.alloc(Math.min(size, total - offset), 0x11));
      if (realTime) await sleep(20);
    }
    if (realTime) this.#lastActionMs += Math.ceil(total / size) * 20;
  }

  async #originate(extension: string, index: number): Promise<void> {
    const start = this.#rows.slice(index).find((r) => r.kind === 'event' && r.event?.['type'] === 'StasisStart'
      && ((r.event['channel'] as { name: string }).name.startsWith(`Local/${extension}@`)));
    if (extension === 'unregistered') {
      const call = this.#fake.placeCall({ app: 'nobody-listens', extension });
      const end = await call.ended;
      if (end.how !== 'stasis-failed') this.mismatches.push(`Stasis() to an unregistered app ended with ${end.how}`);
      return;
    }
    if (start === undefined) return this.#park(extension, index);
    const channel = start.event?.['channel'] as { id: string; name: string; dialplan: { context: string; exten: string; priority: number } };
    const later = this.#rows.slice(index).filter((r) => r.kind === 'event' && r.event?.['type'] === 'StasisStart' && r !== start
      && (r.event['channel'] as { id: string }).id === channel.id);
    const call = this.#fake.placeCall({
      args: start.event?.['args'] as string[], context: channel.dialplan.context, extension: channel.dialplan.exten, priority: channel.dialplan.priority,
      variables: this.#config.variables?.[extension] ?? {}, callerAudio: tone(440, 1000, 8000), callerRateHz: 8000,
      continueDialplan: (target) => {
        const again = later.find((r) => (r.event?.['channel'] as { dialplan: { exten: string } }).dialplan.exten === target.extension);
        if (again === undefined) return undefined;
        return { args: again.event?.['args'] as string[], priority: (again.event?.['channel'] as { dialplan: { priority: number } }).dialplan.priority };
      },
    });
    this.calls.set(channel.id, call);
    this.ids.set(channel.id, call.channelId);
  }

  /** A Local pair left in Wait(): its ids come from the transcript's listChannels reply. */
  #park(extension: string, index: number): void {
    const list = this.#rows.slice(index).find((r) => r.dir === 'ast->app' && r.kind === 'http' && Array.isArray(r.body_json));
    const channels = (list?.body_json ?? []) as { id: string; name: string; dialplan: { context: string; exten: string; priority: number; app_name: string; app_data: string } }[];
    const bot = channels.find((c) => c.name.startsWith(`Local/${extension}@`) && c.name.endsWith(';2'));
    const peer = channels.find((c) => c.name.startsWith(`Local/${extension}@`) && c.name.endsWith(';1'));
    if (bot === undefined || peer === undefined) return;
    const d = peer.dialplan;
    const [botId, peerId] = this.#fake.parkInDialplan({
      extension, priority: bot.dialplan.priority, appName: bot.dialplan.app_name, appData: bot.dialplan.app_data,
      peer: { context: d.context, extension: d.exten, priority: d.priority, appName: d.app_name, appData: d.app_data },
    });
    this.ids.set(bot.id, botId);
    this.ids.set(peer.id, peerId);
  }

  #replyTo(index: number, kind: string, stream?: string): Row | undefined {
    return this.#rows.slice(index + 1).find((r) => r.dir === 'ast->app' && r.kind === kind && (stream === undefined || r.stream === stream));
  }

  async #http(row: Row, index: number): Promise<void> {
    await this.#pace(row);
    const expected = this.#replyTo(index, 'http');
    const target = this.ids.apply(row.path ?? '');
    const body = row.req_body === null || row.req_body === undefined ? undefined : this.ids.apply(row.req_body);
    const actual = await rawRequest(this.#fake.port, row.method ?? 'GET', target, { headers: row.req_headers ?? [], ...(body === undefined ? {} : { body }) });
    if (expected === undefined) return;
    this.compared.replies += 1;
    this.#learnIds(expected.body_json, actual.body);
    const what = `${row.method} ${row.path}`;
    if (actual.status !== expected.status || actual.reason !== expected.reason) this.mismatches.push(`${what}: ${actual.status} ${actual.reason}, expected ${expected.status} ${expected.reason}`);
    if (headerNames(actual.headers).join() !== headerNames(expected.headers ?? []).join()) this.mismatches.push(`${what}: headers ${headerNames(actual.headers).join()} expected ${headerNames(expected.headers ?? []).join()}`);
    const want = normalise(this.ids.apply(expected.body_raw ?? ''));
    if (normalise(actual.body) !== want) this.mismatches.push(`${what}: body\n  got  ${normalise(actual.body)}\n  want ${want}`);
  }

  /** ids the fake chose (bridge, external media channel, connection id, channel name). */
  #learnIds(expected: unknown, actualBody: string): void {
    if (expected === null || typeof expected !== 'object' || Array.isArray(expected) || actualBody === '') return;
    const want = expected as Record<string, unknown>;
    const got = JSON.parse(actualBody) as Record<string, unknown>;
    for (const key of ['id', 'name']) {
      if (typeof want[key] === 'string' && typeof got[key] === 'string' && want[key] !== '') this.ids.set(want[key], got[key]);
    }
    const wantVars = want['channelvars'] as Record<string, string> | undefined;
    const gotVars = got['channelvars'] as Record<string, string> | undefined;
    if (wantVars?.['MEDIA_WEBSOCKET_CONNECTION_ID'] !== undefined && gotVars?.['MEDIA_WEBSOCKET_CONNECTION_ID'] !== undefined) {
      this.ids.set(wantVars['MEDIA_WEBSOCKET_CONNECTION_ID'], gotVars['MEDIA_WEBSOCKET_CONNECTION_ID']);
    }
  }

  async #handshake(row: Row, index: number): Promise<void> {
    await this.#pace(row);
    const stream = row.stream ?? '';
    const expected = this.#replyTo(index, 'ws-handshake', stream);
    const [requestLine, ...headerLines] = row.request ?? [];
    const target = this.ids.apply((requestLine ?? '').split(' ')[1] ?? '/');
    const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()])
      .filter(([name]) => name === 'Authorization'));
    if (expected?.status_line === 'HTTP/1.1 101 Switching Protocols') {
      const socket = await RecordingSocket.open(`ws://127.0.0.1:${this.#fake.port}${target}`, headers);
      this.sockets.set(stream, socket);
      this.#opened.push({ stream, fromMs: row.t_ms, socket });
      return;
    }
    const reply = await rawUpgrade(this.#fake.port, target, headers);
    const statusLine = `HTTP/1.1 ${reply.status} ${reply.reason}`;
    if (statusLine !== expected?.status_line) this.mismatches.push(`${stream}: ${statusLine}, expected ${expected?.status_line}`);
    if (headerNames(reply.headers).join() !== headerNames(expected?.headers ?? []).join()) this.mismatches.push(`${stream}: headers ${headerNames(reply.headers).join()}`);
    if (reply.body !== (expected?.body ?? '')) this.mismatches.push(`${stream}: body ${reply.body}`);
    if (normalise(reply.rest) !== normalise(expected?.bytes_after_body ?? '')) this.mismatches.push(`${stream}: after the body ${JSON.stringify(reply.rest)}`);
  }
}
