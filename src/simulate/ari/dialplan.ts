import type { AriCore } from './ari-core.ts';
import type { AriChannel, Dialplan } from './ari-model.ts';
import { type ContinueDialplan, FakeAriCall } from './fake-ari-call.ts';
import type { MediaSession } from './media-session.ts';

export interface PlaceCallOptions {
  /** Stasis() arguments after the app name (`StasisStart.args`). */
  args?: readonly string[];
  /** The Stasis app; the fake's `app` option (default `voicebot`) when absent. */
  app?: string;
  callerNumber?: string;
  callerName?: string;
  /** Dialplan context and extension of the bot leg (`voicebot`, `bot`). */
  context?: string;
  extension?: string;
  /** Priority of the Stasis() line (2). */
  priority?: number;
  /** Variables the dialplan set before Stasis() (readable over ARI). */
  variables?: Record<string, string>;
  /** What the caller says, from the moment the bot leg is bridged with a media channel. */
  callerAudio?: Int16Array;
  callerRateHz?: 8000 | 16000;
  /** A SIP/RTP caller keeps sending silence frames after its audio; a Local caller sends nothing. */
  sendSilence?: boolean;
  /** What the dialplan does after `continue` (default: the call leaves Stasis for good). */
  continueDialplan?: ContinueDialplan;
}

export interface ParkOptions {
  app?: string;
  context?: string;
  extension: string;
  priority: number;
  appName: string;
  appData: string;
  /** Where the other half (;1) of the Local pair sits. */
  peer: { context: string; extension: string; priority: number; appName: string; appData: string };
}

function localChannel(core: AriCore, app: string, name: string, dialplan: Dialplan, caller: { name: string; number: string }): AriChannel {
  return {
    id: core.ids.channelId(Date.now()), name, kind: 'dialplan', createdAtMs: Date.now(), caller, app,
    state: 'Up', dialplan, inStasis: false, bridgeId: undefined, destroyed: false, variables: new Map(),
  };
}

/**
 * Dialplan `Stasis(<app>,<args>)` on the bot leg (Local ;2, state Ring) of a new call. With no
 * app of that name connected, Stasis() fails at once (STASISSTATUS=FAILED) and the call ends.
 */
export function placeCallOn(core: AriCore, calls: Map<string, FakeAriCall>, sessionsOf: (c: AriChannel) => MediaSession[], options: PlaceCallOptions & { app: string }): FakeAriCall {
  const context = options.context ?? 'voicebot';
  const extension = options.extension ?? 'bot';
  const args = options.args ?? [];
  const pair = core.ids.localPairNumber();
  core.ids.channelId(Date.now()); // the caller half (;1) takes the uniqueid before the bot leg
  const dialplan: Dialplan = { context, exten: extension, priority: options.priority ?? 2, app_name: 'Stasis', app_data: [options.app, ...args].join(',') };
  const caller = { name: options.callerName ?? '', number: options.callerNumber ?? '' };
  const channel = localChannel(core, options.app, `Local/${extension}@${context}-${pair};2`, dialplan, caller);
  channel.state = 'Ring';
  for (const [name, value] of Object.entries(options.variables ?? {})) channel.variables.set(name, value);
  const call = new FakeAriCall({
    core, channel, callerAudio: options.callerAudio ?? new Int16Array(0), callerRateHz: options.callerRateHz ?? 8000,
    sendSilence: options.sendSilence ?? false, continueDialplan: options.continueDialplan, sessionsOf,
  });
  calls.set(channel.id, call);
  if (!core.hub.isActive(options.app)) {
    channel.variables.set('STASISSTATUS', 'FAILED');
    call.finish('stasis-failed');
    return call;
  }
  core.channels.set(channel.id, channel);
  core.stasisStart(channel, args, dialplan);
  call.log('stasis-start', args.join(','));
  return call;
}

/** A Local pair whose halves sit in dialplan applications (e.g. Wait), outside Stasis. */
export function parkOn(core: AriCore, options: ParkOptions & { app: string }): [string, string] {
  const context = options.context ?? 'voicebot';
  const pair = core.ids.localPairNumber();
  const none = { name: '', number: '' };
  const peer = options.peer;
  const callerHalf = localChannel(core, options.app, `Local/${options.extension}@${context}-${pair};1`, { context: peer.context, exten: peer.extension, priority: peer.priority, app_name: peer.appName, app_data: peer.appData }, none);
  const botHalf = localChannel(core, options.app, `Local/${options.extension}@${context}-${pair};2`, { context, exten: options.extension, priority: options.priority, app_name: options.appName, app_data: options.appData }, none);
  // Asterisk lists the ;2 half first.
  core.channels.set(botHalf.id, botHalf);
  core.channels.set(callerHalf.id, callerHalf);
  return [botHalf.id, callerHalf.id];
}
