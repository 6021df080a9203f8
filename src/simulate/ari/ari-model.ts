import { randomUUID } from 'node:crypto';

/** Where a channel sits in the dialplan, as ARI reports it. */
export interface Dialplan {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

export type ChannelState = 'Down' | 'Ring' | 'Up';

/**
 * One channel as the fake Asterisk holds it. `kind` 'dialplan' channels (Local ;2 bot legs) get
 * events only while in Stasis; 'media' channels (created by externalMedia) get them until destroyed.
 */
export interface AriChannel {
  readonly id: string;
  readonly name: string;
  readonly kind: 'dialplan' | 'media';
  readonly createdAtMs: number;
  readonly caller: { name: string; number: string };
  /** The Stasis application this channel belongs to (events go there). */
  app: string;
  state: ChannelState;
  dialplan: Dialplan;
  inStasis: boolean;
  bridgeId: string | undefined;
  destroyed: boolean;
  readonly variables: Map<string, string>;
}

export interface AriBridge {
  readonly id: string;
  readonly name: string;
  readonly app: string;
  readonly createdAtMs: number;
  /** Channel ids in the order they entered. */
  readonly channelIds: string[];
  /** The app hears about the bridge only once one of its channels has entered it. */
  subscribed: boolean;
}

/** Asterisk's event/creation time format: `2026-11-30T10:41:49.026+0000` (UTC). */
export function ariTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

/** The HTTP Date header: `Mon, 30 Nov 2026 10:41:49 GMT`. */
export function httpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}

/** Channel JSON with Asterisk's key order. */
export function channelJson(channel: AriChannel): Record<string, unknown> {
  return {
    id: channel.id,
    name: channel.name,
    state: channel.state,
    protocol_id: '',
    caller: { name: channel.caller.name, number: channel.caller.number },
    connected: { name: '', number: '' },
    accountcode: '',
    dialplan: { ...channel.dialplan },
    creationtime: ariTimestamp(channel.createdAtMs),
    language: 'en',
  };
}

/** Bridge JSON with Asterisk's key order. */
export function bridgeJson(bridge: AriBridge): Record<string, unknown> {
  return {
    id: bridge.id,
    technology: 'simple_bridge',
    bridge_type: 'mixing',
    bridge_class: 'stasis',
    creator: 'Stasis',
    name: bridge.name,
    channels: [...bridge.channelIds],
    creationtime: ariTimestamp(bridge.createdAtMs),
    video_mode: 'talker',
  };
}

/**
 * Ids the way Asterisk makes them: channel uniqueids `<epoch seconds>.<n>` with one counter for
 * every channel (a Local pair takes two), Local pair numbers `-0000000N`, chan_websocket names
 * `WebSocket/INCOMING/0x7f..` and bridge / connection ids as UUIDs.
 */
export class IdSource {
  #channelCounter = 0;
  #localCounter = 0;
  #pointer = 0x7f00_0000_3060;

  channelId(nowMs: number): string {
    const id = `${Math.floor(nowMs / 1000)}.${this.#channelCounter}`;
    this.#channelCounter += 1;
    return id;
  }

  localPairNumber(): string {
    const value = this.#localCounter.toString(16).padStart(8, '0');
    this.#localCounter += 1;
    return value;
  }

  websocketName(): string {
    this.#pointer += 0x4520;
    return `WebSocket/INCOMING/0x${this.#pointer.toString(16)}`;
  }

  uuid(): string {
    return randomUUID();
  }
}
