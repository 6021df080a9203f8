/** chan_websocket's flow-control levels, in queued frames. */
export const XOFF_FRAMES = 900;
export const XON_FRAMES = 800;
export const MAX_QUEUED_FRAMES = 1000;
/** Longer text commands are ignored (Asterisk logs a warning and answers nothing). */
const MAX_COMMAND_BYTES = 128;

type QueueItem = { kind: 'frame'; bytes: Buffer } | { kind: 'notice'; text: string };

/** What one 20 ms playout tick produced. */
export interface TickResult {
  played: Buffer | undefined;
  messages: string[];
}

/**
 * The app→caller side of chan_websocket (plain-text control mode) as a clock-free machine: binary
 * messages become whole frames in a queue (partial frames dropped unless buffering), one frame is
 * played per tick, marks and buffering completions are reported when playout reaches them, and
 * MEDIA_XOFF / MEDIA_XON follow the 900 / 800 levels. Frames past 1000 are dropped silently.
 */
export class MediaQueue {
  readonly #channelId: string;
  readonly #frameBytes: number;
  readonly #silence: number;
  #items: QueueItem[] = [];
  #frames = 0;
  #full = false;
  #paused = false;
  #buffering: Buffer | undefined;
  #drainReport = false;

  constructor(channelId: string, frameBytes: number, silenceByte: number) {
    this.#channelId = channelId;
    this.#frameBytes = frameBytes;
    this.#silence = silenceByte;
  }

  get queuedFrames(): number {
    return this.#frames;
  }

  /** Handles one binary message; returns the text messages to send (MEDIA_XOFF). */
  pushBinary(data: Buffer): string[] {
    if (this.#buffering === undefined) return this.#enqueueWhole(data);
    const joined = Buffer.concat([this.#buffering, data]);
    const whole = joined.length - (joined.length % this.#frameBytes);
    this.#buffering = joined.subarray(whole);
    return this.#enqueueWhole(joined.subarray(0, whole));
  }

  /** Handles one text command; returns the replies to send at once. */
  command(text: string): string[] {
    if (Buffer.byteLength(text) > MAX_COMMAND_BYTES) return [];
    const space = text.indexOf(' ');
    const name = space < 0 ? text : text.slice(0, space);
    const argument = space < 0 ? '' : text.slice(space + 1).trim();
    switch (name) {
      case 'GET_STATUS': return [this.#status()];
      case 'FLUSH_MEDIA': this.#flush(); return [];
      case 'MARK_MEDIA': this.#notice(argument === '' ? 'MEDIA_MARK_PROCESSED' : `MEDIA_MARK_PROCESSED ${argument}`); return [];
      case 'REPORT_QUEUE_DRAINED': this.#drainReport = true; return [];
      case 'PAUSE_MEDIA': this.#paused = true; return [];
      case 'CONTINUE_MEDIA': this.#paused = false; return [];
      case 'START_MEDIA_BUFFERING': this.#buffering ??= Buffer.alloc(0); return [];
      case 'STOP_MEDIA_BUFFERING': return this.#stopBuffering(argument);
      case 'SET_MEDIA_DIRECTION': return [`ERROR channel_id:${this.#channelId} error_text:SET_MEDIA_DIRECTION only supports JSON format.\n`];
      default: return [];
    }
  }

  /** One 20 ms playout tick. */
  tick(): TickResult {
    const messages: string[] = [];
    let played: Buffer | undefined;
    if (!this.#paused) {
      const head = this.#items[0];
      if (head === undefined) {
        if (this.#drainReport) messages.push('QUEUE_DRAINED');
        this.#drainReport = false;
      } else if (head.kind === 'notice') {
        while (this.#items[0]?.kind === 'notice') messages.push((this.#items.shift() as { text: string }).text);
      } else {
        this.#items.shift();
        this.#frames -= 1;
        played = head.bytes;
      }
    }
    if (this.#full && this.#frames < XON_FRAMES) {
      this.#full = false;
      messages.push('MEDIA_XON');
    }
    return { played, messages };
  }

  #enqueueWhole(data: Buffer): string[] {
    const messages: string[] = [];
    for (let offset = 0; offset + this.#frameBytes <= data.length; offset += this.#frameBytes) {
      if (this.#frames >= MAX_QUEUED_FRAMES) break;
      this.#items.push({ kind: 'frame', bytes: Buffer.from(data.subarray(offset, offset + this.#frameBytes)) });
      this.#frames += 1;
      if (this.#frames >= XOFF_FRAMES && !this.#full) {
        this.#full = true;
        messages.push('MEDIA_XOFF');
      }
    }
    return messages;
  }

  #stopBuffering(id: string): string[] {
    const rest = this.#buffering;
    this.#buffering = undefined;
    let messages: string[] = [];
    if (rest !== undefined && rest.length > 0) {
      const padded = Buffer.alloc(this.#frameBytes, this.#silence);
      rest.copy(padded);
      messages = this.#enqueueWhole(padded);
    }
    this.#notice(id === '' ? 'MEDIA_BUFFERING_COMPLETED' : `MEDIA_BUFFERING_COMPLETED ${id}`);
    return messages;
  }

  #notice(text: string): void {
    this.#items.push({ kind: 'notice', text });
  }

  #flush(): void {
    this.#items = [];
    this.#frames = 0;
    if (this.#buffering !== undefined) this.#buffering = Buffer.alloc(0);
  }

  #status(): string {
    return `STATUS channel_id:${this.#channelId} queue_length:${this.#frames} xon_level:${XON_FRAMES} xoff_level:${XOFF_FRAMES}`
      + ` queue_full:${this.#full} bulk_media:false media_paused:${this.#paused}`;
  }
}
