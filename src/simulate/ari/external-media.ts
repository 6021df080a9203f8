import type { Socket } from 'node:net';
import { acceptWebSocket, type CloseInfo } from '../../net/websocket.ts';
import type { AriCore, HangupCause } from './ari-core.ts';
import { type AriChannel, channelJson } from './ari-model.ts';
import { type AriReply, badRequest, formatReply, htmlReply, INTERNAL_ERROR, jsonReply } from './ari-replies.ts';
import { closeEchoSocket } from './close-echo.ts';
import { MEDIA_FORMATS, type MediaFormat, optimalFrameBytes } from './media-format.ts';
import { MediaSession } from './media-session.ts';
import type { WireRequest } from './http-wire.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The externalMedia parameter checks in Asterisk's order, with its messages. */
export function checkExternalMedia(query: URLSearchParams): AriReply | { app: string; format: MediaFormat } {
  const app = query.get('app') ?? '';
  const format = query.get('format') ?? '';
  const transport = query.get('transport') ?? 'udp';
  const encapsulation = query.get('encapsulation') ?? (transport === 'websocket' ? 'none' : 'rtp');
  const connectionType = query.get('connection_type') ?? 'client';
  const host = query.get('external_host') ?? '';
  const direction = query.get('direction') ?? 'both';
  if (app === '') return badRequest('app cannot be empty');
  if (format === '') return badRequest('format cannot be empty');
  if (transport === 'websocket' && encapsulation !== 'none') return badRequest("encapsulation must be 'none' for websocket transport");
  if (connectionType === 'server' && transport !== 'websocket') return badRequest("'server' connection_type can only be used with the websocket transport");
  if (!['both', 'in', 'out'].includes(direction)) return badRequest('Invalid direction specified');
  if (transport === 'websocket' && connectionType !== 'server') {
    return badRequest(host === '' ? 'external_host is required for all but websocket server connections' : 'external_host must be a valid websocket_client connection id.');
  }
  if (transport !== 'websocket') {
    if (host === '') return badRequest('external_host is required for all but websocket server connections');
    if (encapsulation === 'audiosocket' && (query.get('data') ?? '') === '') return badRequest('data can not be empty');
    if (!/^[^:]+:\d+$/.test(host)) return badRequest('external_host must be <host>:<port> for all transports other than websocket');
    // AudioSocket and RTP are not simulated: a bad UUID and "nobody listening" both give 500 in Asterisk.
    if (encapsulation === 'audiosocket' && !UUID.test(query.get('data') ?? '')) return INTERNAL_ERROR;
    return INTERNAL_ERROR;
  }
  if (!(MEDIA_FORMATS as readonly string[]).includes(format)) return INTERNAL_ERROR;
  return { app, format: format as MediaFormat };
}

interface MediaEntry {
  channel: AriChannel;
  connectionId: string;
  format: MediaFormat;
  session: MediaSession | undefined;
  noConnectTimer: NodeJS.Timeout | undefined;
}

/**
 * External media channels over chan_websocket in server mode: creation, the `/media/<id>`
 * connection that answers them, and every way they end, each with Asterisk's event sequence.
 */
export class MediaChannels {
  readonly #core: AriCore;
  readonly #noConnectMs: number;
  readonly #onPlayed: (channel: AriChannel, frame: Buffer, format: MediaFormat) => void;
  readonly #onCommand: (channel: AriChannel, text: string, queuedFrames: number) => void;
  readonly #byConnection = new Map<string, MediaEntry>();
  readonly #byChannel = new Map<string, MediaEntry>();

  constructor(core: AriCore, noConnectMs: number, onPlayed: (channel: AriChannel, frame: Buffer, format: MediaFormat) => void,
    onCommand: (channel: AriChannel, text: string, queuedFrames: number) => void = () => undefined) {
    this.#onCommand = onCommand;
    this.#core = core;
    this.#noConnectMs = noConnectMs;
    this.#onPlayed = onPlayed;
  }

  /** POST /channels/externalMedia after the checks: the 200 reply; `Dial` follows it. */
  create(app: string, format: MediaFormat): AriReply {
    const core = this.#core;
    const channel: AriChannel = {
      id: core.ids.channelId(Date.now()), name: core.ids.websocketName(), kind: 'media', createdAtMs: Date.now(),
      caller: { name: '', number: '' }, app, state: 'Down', inStasis: false, bridgeId: undefined, destroyed: false, variables: new Map(),
      dialplan: { context: 'default', exten: 's', priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' },
    };
    core.channels.set(channel.id, channel);
    const entry: MediaEntry = { channel, connectionId: core.ids.uuid(), format, session: undefined, noConnectTimer: undefined };
    this.#byConnection.set(entry.connectionId, entry);
    this.#byChannel.set(channel.id, entry);
    entry.noConnectTimer = setTimeout(() => this.#end(entry, undefined, { cause: 19 }), this.#noConnectMs);
    entry.noConnectTimer.unref();
    setImmediate(() => this.#dial(channel, ''));
    const channelvars = { MEDIA_WEBSOCKET_CONNECTION_ID: entry.connectionId, MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE: String(optimalFrameBytes(format)) };
    return jsonReply({ ...channelJson(channel), channelvars });
  }

  /** GET /media/<connection id> with Upgrade: no auth; unknown id 404, a second connection 409. */
  upgrade(connectionId: string, req: WireRequest, socket: Socket, head: Buffer): void {
    const entry = this.#byConnection.get(connectionId);
    if (entry === undefined || entry.channel.destroyed) {
      socket.end(formatReply(htmlReply(404, 'Not found', 'WebSocket instance not found'), Date.now()));
      return;
    }
    if (entry.session !== undefined) {
      socket.end(formatReply(htmlReply(409, 'Conflict', 'Another websocket connection exists for this connection id'), Date.now()));
      return;
    }
    clearTimeout(entry.noConnectTimer);
    const { duplex, ownClose } = closeEchoSocket(socket, 1001);
    const ws = acceptWebSocket({ headers: req.headers } as unknown as Parameters<typeof acceptWebSocket>[0], duplex, head);
    const channel = entry.channel;
    entry.session = new MediaSession({
      connectionId, channelId: channel.id, channelName: channel.name, format: entry.format, socket: ws, ownClose,
      onPlayed: (frame) => this.#onPlayed(channel, frame, entry.format),
      onHangupCommand: () => this.#end(entry, { cause: 16, techCause: 1000 }, { cause: 16, techCause: 1000 }),
      onCommand: (text, queuedFrames) => this.#onCommand(channel, text, queuedFrames),
      onAppClosed: (info: CloseInfo) => this.#appClosed(entry, info),
    });
    const session = entry.session;
    // Asterisk writes MEDIA_START right behind the 101 (0.3 ms apart in the capture): often the
    // same TCP read on the app's side, which a client must handle.
    session.start();
    this.#answer(channel);
  }

  /** Open media sessions of the given channels. */
  sessionsOf(channels: readonly AriChannel[]): MediaSession[] {
    return channels.map((c) => this.#byChannel.get(c.id)?.session).filter((s): s is MediaSession => s !== undefined && s.isOpen);
  }

  isMedia(channelId: string): boolean {
    return this.#byChannel.has(channelId);
  }

  /** DELETE /channels/{id} of a media channel: close 1000, soft hangup 32, destroyed with cause 16. */
  hangupByApp(channelId: string): void {
    const entry = this.#byChannel.get(channelId);
    if (entry !== undefined) this.#end(entry, { cause: 32, soft: true }, { cause: 16 });
  }

  /** `core stop now`: soft hangup 4 for every media channel. */
  shutdown(): void {
    for (const entry of [...this.#byChannel.values()]) this.#end(entry, { cause: 4, soft: true }, { cause: 16 });
  }

  #dial(channel: AriChannel, dialstatus: string): void {
    if (channel.destroyed) return;
    this.#core.hub.emit(channel.app, 'Dial', { dialstatus, forward: '', dialstring: 'INCOMING', peer: channelJson(channel) });
  }

  #answer(channel: AriChannel): void {
    channel.state = 'Up';
    this.#core.emitChannel(channel, 'ChannelStateChange');
    this.#dial(channel, 'ANSWER');
    channel.dialplan = { context: 'default', exten: 's', priority: 1, app_name: 'Stasis', app_data: channel.app };
    this.#core.setVariable(channel, 'STASISSTATUS', '');
    this.#core.stasisStart(channel, [], channel.dialplan);
  }

  #appClosed(entry: MediaEntry, info: CloseInfo): void {
    const cause = info.code === 1006 ? 38 : 16;
    this.#end(entry, { cause, techCause: 1001 }, { cause, techCause: 1001 });
  }

  /** The hangup sequence: request, close, bridge exit, StasisEnd, STASISSTATUS, ChannelDestroyed. */
  #end(entry: MediaEntry, request: HangupCause | undefined, destroyed: HangupCause): void {
    const { channel } = entry;
    if (channel.destroyed) return;
    clearTimeout(entry.noConnectTimer);
    this.#byChannel.delete(channel.id);
    this.#byConnection.delete(entry.connectionId);
    const core = this.#core;
    if (request?.soft === true) entry.session?.close();
    if (request !== undefined) core.hangupRequest(channel, request);
    if (channel.bridgeId !== undefined) core.leaveBridge(channel);
    entry.session?.close();
    if (channel.inStasis) {
      core.stasisEnd(channel);
      core.setVariable(channel, 'STASISSTATUS', 'SUCCESS');
    }
    core.destroy(channel, destroyed);
  }
}
