import type { AriChannel } from '../ari/types.ts';

export type { AriChannel };

/** The ARI events serve acts on, as Asterisk 22 sends them (one JSON object per text frame). */
export type ServeEvent =
  | { type: 'StasisStart'; args: string[]; channel: AriChannel }
  | { type: 'StasisEnd'; channel: AriChannel }
  | { type: 'ChannelHangupRequest'; cause?: number; soft?: boolean; channel: AriChannel }
  | { type: 'ChannelDestroyed'; cause?: number; channel: AriChannel };

/** Narrows a parsed event to the ones serve handles; undefined for every other type. */
export function serveEvent(event: unknown): ServeEvent | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const { type, channel } = event as { type?: unknown; channel?: unknown };
  if (channel === null || typeof channel !== 'object' || typeof (channel as { id?: unknown }).id !== 'string') return undefined;
  switch (type) {
    case 'StasisStart': {
      const args = (event as { args?: unknown }).args;
      return { ...(event as ServeEvent), args: Array.isArray(args) ? args.map(String) : [] } as ServeEvent;
    }
    case 'StasisEnd':
    case 'ChannelHangupRequest':
    case 'ChannelDestroyed':
      return event as ServeEvent;
    default:
      return undefined;
  }
}

/**
 * Stasis() arguments from a channel's dialplan app_data ("voicebot,support,x=1" -> ["support",
 * "x=1"]): what a StasisStart lost during an events disconnect would have carried.
 */
export function stasisArgs(channel: AriChannel): string[] {
  const data = channel.dialplan?.app_name === 'Stasis' ? channel.dialplan.app_data : '';
  return data.split(',').slice(1);
}
