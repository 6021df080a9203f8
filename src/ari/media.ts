import type { AudioFrame } from '../audio/pcm.ts';
import type { Logger } from '../log.ts';
import { connectWebSocket, WebSocketConnectError, type CloseInfo, type WebSocketConnection } from '../net/websocket.ts';
import { AsyncQueue } from '../runtime/async-queue.ts';
import { withDeadline } from '../runtime/deadline.ts';
import { AriError, ariErrorCode } from './errors.ts';
import { KeyBuffer } from './key-buffer.ts';
import { MediaPlayer, type PlaybackResult } from './media-player.ts';
import { decodeMedia, parseControl, parseMediaStart, type MediaStart } from './media-protocol.ts';
import type { MediaFormat } from './types.ts';


export type { MediaStart, PlaybackResult };

export interface MediaConnectOptions {
  /** Asterisk's HTTP server, http://host:port (the media socket needs no credentials). */
  baseUrl: string;
  /** MEDIA_WEBSOCKET_CONNECTION_ID from the externalMedia reply. */
  connectionId: string;
  /** Deadline for the handshake and, again, for MEDIA_START. */
  timeoutMs: number;
  log: Logger;
  signal?: AbortSignal;
  /** Audio kept queued in Asterisk ahead of playout (default 300 ms). */
  leadMs?: number;
}

/** Caller frames kept while nobody reads them (10 s at 20 ms); older ones are dropped. */
const MAX_BUFFERED_FRAMES = 500;

/**
 * One chan_websocket media connection in server mode: caller audio in (`frames`), DTMF
 * (`nextKey`), paced playback out (`play`). Every wait ends when the socket closes.
 */
export class MediaSocket {
  readonly start: MediaStart;
  /** Resolves once, however the socket ended. */
  readonly closed: Promise<CloseInfo>;
  /** Aborted when the socket ended (reason: its CloseInfo). */
  readonly closedSignal: AbortSignal;
  readonly #socket: WebSocketConnection;
  readonly #frames = new AsyncQueue<AudioFrame>();
  readonly #keys = new KeyBuffer();
  readonly #player: MediaPlayer;
  readonly #log: Logger;
  #droppedFrames = 0;

  private constructor(socket: WebSocketConnection, start: MediaStart, closed: Promise<CloseInfo>, closedSignal: AbortSignal, options: MediaConnectOptions) {
    this.#socket = socket;
    this.start = start;
    this.closed = closed;
    this.closedSignal = closedSignal;
    this.#log = options.log;
    this.#player = new MediaPlayer({ send: (data) => socket.send(data), drained: () => socket.drained(), closed: closedSignal }, start, { leadMs: options.leadMs, log: options.log });
    closedSignal.addEventListener('abort', () => {
      this.#frames.end();
      this.#keys.end();
      this.#player.wake();
    }, { once: true });
  }

  /** Connects ws://<host>/media/<connectionId> and waits for MEDIA_START. */
  static async connect(options: MediaConnectOptions): Promise<MediaSocket> {
    const url = `ws://${new URL(options.baseUrl).host}/media/${encodeURIComponent(options.connectionId)}`;
    const ended = new AbortController();
    const early = earlyMessages(ended);
    let socket: WebSocketConnection;
    try {
      socket = await connectWebSocket(url, { timeoutMs: options.timeoutMs, ...(options.signal === undefined ? {} : { signal: options.signal }), onOpen: early.attach });
    } catch (error) {
      throw mediaConnectError(error, options.connectionId);
    }
    const startText = await withDeadline(early.startText, options.timeoutMs, () => undefined);
    if (startText === undefined) {
      socket.terminate();
      throw new AriError('ARI_MEDIA_START_TIMEOUT', `no MEDIA_START on the media WebSocket within ${options.timeoutMs} ms (or it closed first)`, { status: 0, asteriskMessage: '' });
    }
    let start: MediaStart;
    try {
      start = parseMediaStart(startText);
    } catch (error) {
      socket.close(1000, '');
      throw error;
    }
    socket.removeAllListeners('text');
    socket.removeAllListeners('binary');
    const media = new MediaSocket(socket, start, early.closed, ended.signal, options);
    socket.on('text', (text) => media.#onText(text));
    socket.on('binary', (data) => media.#onBinary(data));
    for (const message of early.later) {
      if (typeof message === 'string') media.#onText(message);
      else media.#onBinary(message);
    }
    options.log.debug('ARI', 'media WebSocket up', { channel: start.channel, format: start.format, frameBytes: start.optimalFrameSizeBytes });
    return media;
  }

  get format(): MediaFormat { return this.start.format; }
  get sampleRateHz(): number { return this.start.sampleRateHz; }
  get isOpen(): boolean { return this.#socket.isOpen; }

  /** Caller audio, 16-bit PCM at `sampleRateHz`; ends when the socket closes. One consumer. */
  get frames(): AsyncIterable<AudioFrame> { return this.#frames; }

  /** DTMF keys (DTMF_END); kept when nobody waits. */
  get keys(): KeyBuffer { return this.#keys; }

  /** The next DTMF key; undefined on `signal`, `timeoutMs` or when the socket closes. */
  nextKey(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<string | undefined> {
    return this.#keys.next(options);
  }

  /** Plays PCM at `sampleRateHz` (see MediaPlayer); a newer playback flushes this one. */
  play(samples: Int16Array, options: { signal?: AbortSignal } = {}): Promise<PlaybackResult> {
    return this.#player.play(samples, options);
  }

  /** Audio sent and (by the pacing model) still queued in Asterisk. */
  queuedMs(): number {
    return this.#player.queuedMs();
  }

  /** Closes with 1000 (Asterisk answers 1001 and hangs up the media channel). */
  close(): void {
    this.#socket.close(1000, '');
  }

  #onText(text: string): void {
    const message = parseControl(text);
    switch (message.name) {
      case 'DTMF_END': {
        const digit = message.fields['digit'];
        if (digit !== undefined && /^[0-9*#A-D]$/.test(digit)) this.#keys.push(digit);
        return;
      }
      case 'MEDIA_XOFF':
      case 'MEDIA_XON':
      case 'MEDIA_MARK_PROCESSED':
        this.#player.onControl(message.name, message.argument);
        return;
      case 'ERROR':
        this.#log.warn('ARI', 'Asterisk reported a media error', { error: message.fields['error_text'] ?? message.argument });
        return;
      default:
        this.#log.debug('ARI', 'media control message', { name: message.name });
    }
  }

  #onBinary(data: Buffer): void {
    const samples = decodeMedia(data, this.start.format);
    if (samples.length === 0) return;
    this.#frames.push({ sampleRateHz: this.start.sampleRateHz, samples, capturedAtMs: performance.now() });
    const dropped = this.#frames.dropOldest(MAX_BUFFERED_FRAMES);
    if (dropped > 0 && this.#droppedFrames === 0) this.#log.warn('PLAY', 'caller audio is not being read; dropping the oldest frames');
    this.#droppedFrames += dropped;
  }
}

/**
 * Listeners for a connection's first moments: the first text message (MEDIA_START), the messages
 * after it until the MediaSocket takes over, and the close.
 */
function earlyMessages(ended: AbortController): {
  attach: (ws: WebSocketConnection) => void; startText: Promise<string | undefined>; later: (string | Buffer)[]; closed: Promise<CloseInfo>;
} {
  let resolveStart: (text: string | undefined) => void = () => {};
  let resolveClosed: (info: CloseInfo) => void = () => {};
  const startText = new Promise<string | undefined>((resolve) => { resolveStart = resolve; });
  const closed = new Promise<CloseInfo>((resolve) => { resolveClosed = resolve; });
  const later: (string | Buffer)[] = [];
  let started = false;
  const attach = (ws: WebSocketConnection) => {
    ws.on('text', (text) => {
      if (started) later.push(text);
      else resolveStart(text);
      started = true;
    });
    ws.on('binary', (data) => later.push(data));
    ws.once('close', (info) => {
      ended.abort(info);
      resolveStart(undefined);
      resolveClosed(info);
    });
  };
  return { attach, startText, later, closed };
}

function mediaConnectError(error: unknown, connectionId: string): AriError {
  const status = error instanceof WebSocketConnectError ? error.status : 0;
  const message = error instanceof Error ? error.message : String(error);
  const code = status === 0 ? 'ARI_UNREACHABLE' : ariErrorCode(status);
  const why = status === 404 ? ' (unknown connection id, or its channel is gone)' : status === 409 ? ' (another connection already uses this id)' : '';
  return new AriError(code, `media WebSocket ${connectionId}: ${message}${why}`, { status, asteriskMessage: '', cause: error });
}
