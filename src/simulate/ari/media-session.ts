import type { CloseInfo, WebSocketConnection } from '../../net/websocket.ts';
import { FrameClock } from './frame-clock.ts';
import { type MediaFormat, optimalFrameBytes, silenceByte } from './media-format.ts';
import { MediaQueue } from './media-queue.ts';

export interface MediaSessionOptions {
  connectionId: string;
  channelId: string;
  channelName: string;
  format: MediaFormat;
  socket: WebSocketConnection;
  /** Marks the next close frame as started by Asterisk (sent as is, not rewritten to 1001). */
  ownClose: () => void;
  /** A frame reached the caller side of the bridge (one per 20 ms at most). */
  onPlayed: (frame: Buffer) => void;
  /** The app sent `HANGUP`. */
  onHangupCommand: () => void;
  /** Any other control command, with the frames queued when it arrived (tests check what FLUSH_MEDIA dropped). */
  onCommand?: (text: string, queuedFrames: number) => void;
  /** The app closed the socket (close frame or TCP drop); not called after `close()`. */
  onAppClosed: (info: CloseInfo) => void;
}

/**
 * One chan_websocket media connection in server mode, after the 101: MEDIA_START, caller frames
 * out, app audio through the playout queue (re-timed to one frame per 20 ms), the plain-text
 * control commands, and the close rules.
 */
export class MediaSession {
  readonly channelId: string;
  readonly format: MediaFormat;
  readonly #options: MediaSessionOptions;
  readonly #queue: MediaQueue;
  readonly #clock: FrameClock;
  #closedByAsterisk = false;
  #open = true;

  constructor(options: MediaSessionOptions) {
    this.#options = options;
    this.channelId = options.channelId;
    this.format = options.format;
    this.#queue = new MediaQueue(options.channelId, optimalFrameBytes(options.format), silenceByte(options.format));
    this.#clock = new FrameClock(() => this.#tick());
    const { socket } = options;
    socket.on('text', (text) => this.#onText(text));
    socket.on('binary', (data) => this.#send(this.#queue.pushBinary(data)));
    socket.on('close', (info) => this.#onClose(info));
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Sends MEDIA_START and starts playout. */
  start(): void {
    const o = this.#options;
    this.#send([`MEDIA_START connection_id:${o.connectionId} channel:${o.channelName} channel_id:${o.channelId} format:${o.format} optimal_frame_size:${optimalFrameBytes(o.format)} ptime:20`]);
    this.#clock.start();
  }

  sendCallerFrame(frame: Uint8Array): void {
    if (this.#open) this.#options.socket.send(frame);
  }

  sendDtmfEnd(digit: string): void {
    this.#send([`DTMF_END digit:${digit} channel_id:${this.channelId}`]);
  }

  /** Asterisk hangs up the media channel: close 1000, playout stops. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#closedByAsterisk = true;
    this.#clock.stop();
    this.#options.ownClose();
    this.#options.socket.close(1000, '');
  }

  #tick(): void {
    const { played, messages } = this.#queue.tick();
    if (played !== undefined) this.#options.onPlayed(played);
    this.#send(messages);
  }

  #onText(text: string): void {
    if (text === 'HANGUP') {
      this.#options.onHangupCommand();
      return;
    }
    this.#options.onCommand?.(text, this.#queue.queuedFrames);
    this.#send(this.#queue.command(text));
  }

  #onClose(info: CloseInfo): void {
    this.#clock.stop();
    const wasOpen = this.#open;
    this.#open = false;
    if (!this.#closedByAsterisk && wasOpen) this.#options.onAppClosed(info);
  }

  #send(messages: readonly string[]): void {
    if (!this.#open) return;
    for (const message of messages) this.#options.socket.send(message);
  }
}
