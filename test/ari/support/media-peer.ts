import type { WebSocketConnection } from '../../../src/net/websocket.ts';

export interface MediaPeerOptions {
  format: 'slin' | 'slin16' | 'ulaw';
  frameBytes: number;
  connectionId?: string;
  channelId?: string;
  xoffLevel?: number;
  xonLevel?: number;
  maxQueue?: number;
  /** Playout is held until this many ms after start (like PAUSE_MEDIA). */
  pausedForMs?: number;
  /** Never report marks (to test the playback's deadline). */
  ignoreMarks?: boolean;
}

/** What the peer saw, for assertions. */
export interface PeerRecord {
  framesReceived: number;
  framesDropped: number;
  oddSizedMessages: number;
  framesPlayed: number;
  maxQueueLength: number;
  /** Frames that arrived while XOFF was in force (sent at least `XOFF_FLIGHT_MS` after the XOFF). */
  framesDuringXoff: number;
  xoffSent: number;
  texts: { text: string; atMs: number; playedFrames: number }[];
  marksReported: { id: string; atMs: number }[];
}

const XOFF_FLIGHT_MS = 5;

/**
 * chan_websocket's media side as measured on Asterisk 22.10.1 (README section 2): MEDIA_START on
 * connect, a queue played out one frame per 20 ms, MEDIA_XOFF at `xoffLevel`, drops at
 * `maxQueue`, MEDIA_XON below `xonLevel`, FLUSH_MEDIA, MARK_MEDIA -> MEDIA_MARK_PROCESSED.
 */
export class MediaPeer {
  readonly ws: WebSocketConnection;
  readonly record: PeerRecord = {
    framesReceived: 0, framesDropped: 0, oddSizedMessages: 0, framesPlayed: 0, maxQueueLength: 0, framesDuringXoff: 0, xoffSent: 0, texts: [], marksReported: [],
  };
  readonly startedAtMs = performance.now();
  readonly #options: Required<MediaPeerOptions>;
  #queue = 0;
  #queueFull = false;
  #xoffAtMs = 0;
  #marks: { id: string; afterFrames: number }[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(ws: WebSocketConnection, options: MediaPeerOptions) {
    this.ws = ws;
    this.#options = {
      connectionId: 'a4faa715-d77f-49c7-aad1-b2033d442e55', channelId: '1796035036.2', xoffLevel: 900, xonLevel: 800, maxQueue: 1000,
      pausedForMs: 0, ignoreMarks: false, ...options,
    };
    const { connectionId, channelId, format, frameBytes } = this.#options;
    ws.send(`MEDIA_START connection_id:${connectionId} channel:WebSocket/INCOMING/0x7fb9bc003b00 channel_id:${channelId} format:${format} optimal_frame_size:${frameBytes} ptime:20`);
    ws.on('binary', (data) => this.#onBinary(data));
    ws.on('text', (text) => this.#onText(text));
    ws.on('close', () => clearInterval(this.#timer));
    this.#timer = setInterval(() => this.#tick(), 20);
  }

  get queueLength(): number { return this.#queue; }

  sendKey(digit: string): void {
    this.ws.send(`DTMF_END digit:${digit} channel_id:${this.#options.channelId}`);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #onBinary(data: Buffer): void {
    const frames = Math.floor(data.length / this.#options.frameBytes);
    if (data.length % this.#options.frameBytes !== 0) this.record.oddSizedMessages += 1;
    for (let i = 0; i < frames; i += 1) {
      if (this.#queueFull && performance.now() - this.#xoffAtMs >= XOFF_FLIGHT_MS) this.record.framesDuringXoff += 1;
      if (this.#queue >= this.#options.maxQueue) {
        this.record.framesDropped += 1;
        continue;
      }
      this.record.framesReceived += 1;
      this.#queue += 1;
      this.record.maxQueueLength = Math.max(this.record.maxQueueLength, this.#queue);
      if (this.#queue >= this.#options.xoffLevel && !this.#queueFull) {
        this.#queueFull = true;
        this.#xoffAtMs = performance.now();
        this.record.xoffSent += 1;
        this.ws.send('MEDIA_XOFF');
      }
    }
  }

  #onText(text: string): void {
    this.record.texts.push({ text, atMs: performance.now(), playedFrames: this.record.framesPlayed });
    const [name, argument = ''] = text.split(' ', 2);
    if (name === 'FLUSH_MEDIA') {
      this.#queue = 0;
      this.#marks = [];
    } else if (name === 'MARK_MEDIA') {
      this.#marks.push({ id: argument, afterFrames: this.record.framesPlayed + this.#queue });
    }
  }

  #tick(): void {
    if (performance.now() - this.startedAtMs < this.#options.pausedForMs) return;
    if (this.#queue > 0) {
      this.#queue -= 1;
      this.record.framesPlayed += 1;
    }
    if (this.#queueFull && this.#queue < this.#options.xonLevel) {
      this.#queueFull = false;
      this.ws.send('MEDIA_XON');
    }
    while (this.#marks.length > 0 && (this.#marks[0]?.afterFrames ?? 0) <= this.record.framesPlayed) {
      const mark = this.#marks.shift();
      if (mark === undefined || this.#options.ignoreMarks) continue;
      this.record.marksReported.push({ id: mark.id, atMs: performance.now() });
      this.ws.send(mark.id === '' ? 'MEDIA_MARK_PROCESSED' : `MEDIA_MARK_PROCESSED ${mark.id}`);
    }
  }
}
