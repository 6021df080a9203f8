import type { Server, Socket } from 'node:net';
import { acceptWebSocket, isWebSocketUpgrade } from '../../net/websocket.ts';
import { AriCore } from './ari-core.ts';
import { type AriBridge, type AriChannel, bridgeJson, channelJson } from './ari-model.ts';
import { type AriReply, formatReply, htmlReply, isAuthorized, UNAUTHORIZED } from './ari-replies.ts';
import { MediaChannels } from './external-media.ts';
import { type ContinueDialplan, FakeAriCall, hangupCallByApp } from './fake-ari-call.ts';
import { startWireServer, type WireRequest } from './http-wire.ts';
import type { AriContext } from './rest-channels.ts';
import { requestParams, routeAri } from './rest-router.ts';
import { placeCallOn, parkOn, type ParkOptions, type PlaceCallOptions } from './dialplan.ts';

export type { FakeAriCall } from './fake-ari-call.ts';
export type { DialplanTarget, FakeAriHeard, FakeCallEnd, FakeCallEndHow, FakeCallLogEntry, HeardFrame } from './fake-ari-call.ts';
export type { ParkOptions, PlaceCallOptions } from './dialplan.ts';
export type { ContinueDialplan };

export interface FakeAriOptions {
  username: string;
  password: string;
  /** The Stasis app `placeCall` uses by default (`voicebot`). */
  app?: string;
  /** `asterisk_id` in events (Asterisk uses its MAC address). */
  asteriskId?: string;
  /** An external media channel whose /media socket never connects is destroyed (cause 19) after this. */
  mediaConnectTimeoutMs?: number;
  /** `core stop now`: how long the events sockets stay open (no close frame) before TCP ends. */
  shutdownSocketEndMs?: number;
}

/** One REST request as the fake saw it. */
export interface FakeAriRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface FakeAri {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly FakeAriRequest[];
  /** Every event built (delivered or lost), in order. */
  readonly eventLog: readonly { app: string; delivered: boolean; event: Record<string, unknown> }[];
  placeCall(options?: PlaceCallOptions): FakeAriCall;
  /** A Local channel pair sitting in a dialplan application (not in Stasis); returns [;2 id, ;1 id]. */
  parkInDialplan(options: ParkOptions): [string, string];
  dropEventSockets(options: { clean: boolean }): void;
  coreStopNow(): Promise<void>;
  channels(): Record<string, unknown>[];
  bridges(): Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * A fake Asterisk 22.10.1 speaking ARI on 127.0.0.1: REST under /ari/, the events WebSocket, and
 * chan_websocket external media in server mode on /media/<connection id>, with the replies, event
 * sequences and media behaviour captured from a real Asterisk (testdata/asterisk-22/ari).
 */
export async function startFakeAri(options: FakeAriOptions): Promise<FakeAri> {
  const asteriskId = options.asteriskId ?? '02:fc:00:00:00:01';
  const core = new AriCore(asteriskId, () => Date.now());
  const calls = new Map<string, FakeAriCall>();
  const media = new MediaChannels(core, options.mediaConnectTimeoutMs ?? 31_000, (channel, frame, format) => {
    for (const peer of core.bridgedWith(channel)) calls.get(peer.id)?.played(frame, format, channel.id);
  }, (channel, text, queuedFrames) => {
    // On the bridged caller's log: a test can tell what a FLUSH_MEDIA took back and when.
    for (const peer of core.bridgedWith(channel)) calls.get(peer.id)?.log('media-command', `${text} queued=${queuedFrames}`);
  });
  const ctx: AriContext = { core, media, calls, startedAtMs: Date.now(), asteriskId };
  const requests: FakeAriRequest[] = [];
  const { server, sockets } = startWireServer({
    request: (req, socket) => onRequest(ctx, options, req, socket, requests),
    upgrade: (req, socket, head) => onUpgrade(ctx, options, req, socket, head),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const sessionsOf = (channel: AriChannel) => media.sessionsOf(core.bridgedWith(channel));
  const defaultApp = options.app ?? 'voicebot';
  let stopped = false;

  const shutdown = async (): Promise<void> => {
    stopped = true;
    for (const call of calls.values()) call.dispose();
    await closeServer(server, sockets);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    eventLog: core.hub.log,
    placeCall: (callOptions = {}) => placeCallOn(core, calls, sessionsOf, { ...callOptions, app: callOptions.app ?? defaultApp }),
    parkInDialplan: (parkOptions) => parkOn(core, { ...parkOptions, app: parkOptions.app ?? defaultApp }),
    dropEventSockets: ({ clean }) => {
      for (const socket of core.hub.sockets()) {
        if (clean) socket.close(1000, '');
        else socket.terminate();
      }
    },
    coreStopNow: async () => {
      if (stopped) return;
      // Bot legs leave their bridges before the media channels do (as captured).
      for (const call of calls.values()) {
        if (!call.isDone) hangupCallByApp(core, call, { cause: 4, soft: true }, 'core-stop');
      }
      media.shutdown();
      for (const channel of [...core.channels.values()]) core.destroy(channel, { cause: 16 });
      server.close();
      await new Promise((resolve) => setTimeout(resolve, options.shutdownSocketEndMs ?? 1100));
      for (const socket of core.hub.sockets()) socket.terminate();
      await shutdown();
    },
    channels: () => [...core.channels.values()].map(channelJson),
    bridges: () => [...core.bridges.values()].map((bridge: AriBridge) => bridgeJson(bridge)),
    close: shutdown,
  };
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

function reply(socket: Socket, answer: AriReply): void {
  if (!socket.destroyed) socket.write(formatReply(answer, Date.now()));
}

function onRequest(ctx: AriContext, options: FakeAriOptions, req: WireRequest, socket: Socket, requests: FakeAriRequest[]): void {
  let answer: AriReply;
  if (!req.path.startsWith('/ari/')) {
    answer = htmlReply(404, 'Not Found', 'The requested URL was not found on this server.');
  } else if (!isAuthorized(req.headers, req.query, options.username, options.password)) {
    answer = UNAUTHORIZED;
  } else {
    const segments = req.path.slice('/ari/'.length).split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    answer = routeAri(ctx, req.method, segments, requestParams(req.query, req.body));
  }
  requests.push({ method: req.method, path: req.path, query: Object.fromEntries(req.query), status: answer.status });
  reply(socket, answer);
}

function onUpgrade(ctx: AriContext, options: FakeAriOptions, req: WireRequest, socket: Socket, head: Buffer): void {
  const media = /^\/media\/([^/]+)$/.exec(req.path);
  if (media !== null && isWebSocketUpgrade(req.headers)) {
    ctx.media.upgrade(decodeURIComponent(media[1] as string), req, socket, head);
    return;
  }
  if (req.path !== '/ari/events' || !isWebSocketUpgrade(req.headers)) {
    socket.end(formatReply(htmlReply(404, 'Not Found', 'The requested URL was not found on this server.'), Date.now()));
    return;
  }
  if (!isAuthorized(req.headers, req.query, options.username, options.password)) {
    socket.end(formatReply(UNAUTHORIZED, Date.now()));
    return;
  }
  const app = req.query.get('app') ?? '';
  if (app === '') {
    // Asterisk writes its 400 page and then a second, bare 400 on the same socket.
    const second = formatReply({ status: 400, reason: 'Bad Request', extraHeaders: [['Sec-WebSocket-Version', '7, 8, 13']] }, Date.now());
    socket.end(formatReply(htmlReply(400, 'Bad Request', 'HTTP request is missing param: [app]'), Date.now()) + second);
    return;
  }
  const ws = acceptWebSocket({ headers: req.headers } as unknown as Parameters<typeof acceptWebSocket>[0], socket, head);
  for (const name of app.split(',')) ctx.core.hub.attach(name, ws);
}
