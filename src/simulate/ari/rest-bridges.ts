import { ariTimestamp, bridgeJson } from './ari-model.ts';
import { type AriReply, badRequest, BRIDGE_NOT_FOUND, errorReply, jsonReply, NO_CONTENT } from './ari-replies.ts';
import type { AriContext, Params } from './rest-channels.ts';

export function listBridges(ctx: AriContext): AriReply {
  return jsonReply([...ctx.core.bridges.values()].map(bridgeJson));
}

export function createBridge(ctx: AriContext, params: Params): AriReply {
  const app = ctx.core.hub.apps()[0] ?? '';
  const bridge = ctx.core.createBridge(app, params.get('name') ?? '');
  return jsonReply(bridgeJson(bridge));
}

export function getBridge(ctx: AriContext, id: string): AriReply {
  const bridge = ctx.core.bridges.get(id);
  return bridge === undefined ? BRIDGE_NOT_FOUND : jsonReply(bridgeJson(bridge));
}

export function deleteBridge(ctx: AriContext, id: string): AriReply {
  const bridge = ctx.core.bridges.get(id);
  if (bridge === undefined) return BRIDGE_NOT_FOUND;
  ctx.core.destroyBridge(bridge);
  return NO_CONTENT;
}

/** addChannel / removeChannel: `channel=` is a comma-separated list of channel ids. */
export function changeBridge(ctx: AriContext, id: string, params: Params, action: 'add' | 'remove'): AriReply {
  const bridge = ctx.core.bridges.get(id);
  if (bridge === undefined) return errorReply(404, 'Not found', 'Bridge not found');
  const ids = (params.get('channel') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) return badRequest('Missing parameter channel');
  const channels = [];
  for (const channelId of ids) {
    const channel = ctx.core.channels.get(channelId);
    if (channel === undefined) return badRequest('Channel not found');
    if (!channel.inStasis) return errorReply(422, 'Unprocessable Entity', 'Channel not in Stasis application');
    if (action === 'remove' && channel.bridgeId !== bridge.id) return errorReply(422, 'Unprocessable Entity', 'Channel not in this bridge');
    channels.push(channel);
  }
  for (const channel of channels) {
    if (action === 'add') ctx.core.joinBridge(bridge, channel);
    else ctx.core.leaveBridge(channel);
    ctx.calls.get(channel.id)?.log(action === 'add' ? 'bridged' : 'unbridged', bridge.id);
  }
  return NO_CONTENT;
}

function applicationJson(ctx: AriContext, name: string): Record<string, unknown> {
  const channelIds = [...ctx.core.channels.values()]
    .filter((c) => c.app === name && (c.kind === 'media' || c.inStasis))
    .map((c) => c.id);
  const bridgeIds = [...ctx.core.bridges.values()].filter((b) => b.app === name).map((b) => b.id);
  return { name, channel_ids: channelIds, bridge_ids: bridgeIds, endpoint_ids: [], device_names: [], events_allowed: [], events_disallowed: [] };
}

export function listApplications(ctx: AriContext): AriReply {
  return jsonReply(ctx.core.hub.apps().map((name) => applicationJson(ctx, name)));
}

export function getApplication(ctx: AriContext, name: string): AriReply {
  if (!ctx.core.hub.apps().includes(name)) return errorReply(404, 'Not Found', 'Application not found');
  return jsonReply(applicationJson(ctx, name));
}

/** GET /asterisk/info, shaped like 22.10.1's. */
export function asteriskInfo(ctx: AriContext): AriReply {
  const started = ariTimestamp(ctx.startedAtMs);
  return jsonReply({
    build: { os: 'Linux', kernel: '6.18.44-fc-v657', machine: 'x86_64', options: 'OPTIONAL_API', date: '2026-11-30 09:52:16 UTC', user: 'root' },
    system: { version: '22.10.1', entity_id: ctx.asteriskId },
    config: { name: '', default_language: 'en', setid: { user: '', group: '' } },
    status: { startup_time: started, last_reload_time: started },
  });
}
