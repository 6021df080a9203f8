/** ARI JSON objects as Asterisk 22 sends them: the fields voicebot reads (Asterisk sends more). */

/** External media formats voicebot asks chan_websocket for. */
export type MediaFormat = 'slin' | 'slin16' | 'ulaw';

/** Sample rate of the PCM a media format carries (ulaw is decoded to 8 kHz). */
export const MEDIA_RATE_HZ: Record<MediaFormat, number> = { slin: 8000, slin16: 16000, ulaw: 8000 };

export interface AriChannel {
  id: string;
  name: string;
  state: string;
  caller?: { name: string; number: string };
  connected?: { name: string; number: string };
  dialplan?: { context: string; exten: string; priority: number; app_name: string; app_data: string };
  creationtime?: string;
  language?: string;
  /** Only in the externalMedia reply (MEDIA_WEBSOCKET_CONNECTION_ID, MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE). */
  channelvars?: Record<string, string>;
}

export interface AriBridge {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  creationtime?: string;
}

/** GET /applications/{name} as Asterisk sends it. */
export interface AriApplicationJson {
  name: string;
  channel_ids?: string[];
  bridge_ids?: string[];
  endpoint_ids?: string[];
  device_names?: string[];
}

/** An application as `AriRest.application` gives it. */
export interface AriApplication {
  name: string;
  channelIds: string[];
  bridgeIds: string[];
  endpointIds: string[];
}

/** One event of the events WebSocket: `type` always, the rest depends on it. */
export interface AriEvent {
  type: string;
  timestamp?: string;
  application?: string;
  channel?: AriChannel;
  [field: string]: unknown;
}
