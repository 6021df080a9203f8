import type { AriCore } from './ari-core.ts';
import { type AriChannel, channelJson } from './ari-model.ts';
import { type AriReply, badRequest, CHANNEL_NOT_FOUND, errorReply, jsonReply, NO_CONTENT, NOT_IN_STASIS } from './ari-replies.ts';
import { checkExternalMedia, type MediaChannels } from './external-media.ts';
import { continueCall, type FakeAriCall, hangupCallByApp } from './fake-ari-call.ts';

/** What the REST handlers work on. */
export interface AriContext {
  core: AriCore;
  media: MediaChannels;
  calls: Map<string, FakeAriCall>;
  startedAtMs: number;
  asteriskId: string;
}

/** Query parameters merged with a JSON object body (Asterisk accepts either). */
export type Params = URLSearchParams;

const HANGUP_REASONS = new Set(['normal', 'busy', 'congestion', 'no_answer', 'timeout', 'rejected', 'unallocated', 'normal_unspecified', 'number_incomplete', 'codec_mismatch', 'interworking', 'failure', 'answered_elsewhere']);

export function listChannels(ctx: AriContext): AriReply {
  return jsonReply([...ctx.core.channels.values()].map(channelJson));
}

export function externalMedia(ctx: AriContext, params: Params): AriReply {
  const checked = checkExternalMedia(params);
  if (!('app' in checked)) return checked;
  return ctx.media.create(checked.app, checked.format);
}

export function getChannel(ctx: AriContext, id: string): AriReply {
  const channel = ctx.core.channels.get(id);
  return channel === undefined ? CHANNEL_NOT_FOUND : jsonReply(channelJson(channel));
}

export function deleteChannel(ctx: AriContext, id: string, params: Params): AriReply {
  const channel = ctx.core.channels.get(id);
  if (channel === undefined) return CHANNEL_NOT_FOUND;
  const reason = params.get('reason');
  if (reason !== null && !HANGUP_REASONS.has(reason)) return badRequest(`Invalid reason ${reason}`);
  const call = ctx.calls.get(id);
  if (ctx.media.isMedia(id)) ctx.media.hangupByApp(id);
  else if (call !== undefined && !call.isDone) hangupCallByApp(ctx.core, call, { cause: 32, soft: true }, 'app-hangup');
  else ctx.core.destroy(channel, { cause: 16 });
  return NO_CONTENT;
}

function inStasis(ctx: AriContext, id: string): AriChannel | AriReply {
  const channel = ctx.core.channels.get(id);
  if (channel === undefined) return CHANNEL_NOT_FOUND;
  return channel.inStasis ? channel : NOT_IN_STASIS;
}

export function answer(ctx: AriContext, id: string): AriReply {
  const channel = inStasis(ctx, id);
  if (!('id' in channel)) return channel;
  if (channel.state !== 'Up') {
    channel.state = 'Up';
    ctx.core.emitChannel(channel, 'ChannelStateChange');
    ctx.calls.get(id)?.log('answered');
  }
  return NO_CONTENT;
}

export function getVariable(ctx: AriContext, id: string, params: Params): AriReply {
  const channel = ctx.core.channels.get(id);
  if (channel === undefined) return CHANNEL_NOT_FOUND;
  const name = params.get('variable') ?? '';
  if (name === '') return badRequest('Variable name is required');
  const value = channel.variables.get(name);
  return value === undefined ? errorReply(404, 'Variable Not Found', 'Provided variable was not found') : jsonReply({ value });
}

export function setVariable(ctx: AriContext, id: string, params: Params): AriReply {
  const channel = inStasis(ctx, id);
  if (!('id' in channel)) return channel;
  const name = params.get('variable') ?? '';
  if (name === '') return badRequest('Variable name is required');
  const value = params.get('value') ?? '';
  ctx.core.setVariable(channel, name, value);
  ctx.calls.get(id)?.variableSet(name, value);
  return NO_CONTENT;
}

export function continueInDialplan(ctx: AriContext, id: string, params: Params): AriReply {
  const channel = inStasis(ctx, id);
  if (!('id' in channel)) return channel;
  const context = params.get('context') ?? channel.dialplan.context;
  const extension = params.get('extension') ?? channel.dialplan.exten;
  const moved = params.has('context') || params.has('extension') || params.has('label');
  const priority = params.has('priority') ? Number.parseInt(params.get('priority') ?? '', 10) : moved ? 1 : channel.dialplan.priority + 1;
  const call = ctx.calls.get(id);
  if (call === undefined) {
    ctx.core.stasisEnd(channel);
    return NO_CONTENT;
  }
  continueCall(ctx.core, call, { context, extension, priority: Number.isFinite(priority) ? priority : 1 });
  return NO_CONTENT;
}
