import { type AriBridge, type AriChannel, bridgeJson, channelJson, type Dialplan, IdSource } from './ari-model.ts';
import { EventHub } from './event-hub.ts';

/** Why a channel went away, as ChannelHangupRequest / ChannelDestroyed report it. */
export interface HangupCause {
  /** Q.850 cause, or the soft-hangup flag bitmask when `soft` (32 explicit, 4 shutdown). */
  cause: number;
  soft?: boolean;
  techCause?: number;
}

const CAUSE_TEXT: Record<number, string> = { 16: 'Normal Clearing', 19: 'User alerting, no answer', 38: 'Network out of order' };

/**
 * The channels and bridges of the fake Asterisk and the event sequences Asterisk 22.10.1 sends
 * when they change (bridge entry with BRIDGEPEER, Stasis start/end, hangup, destruction).
 */
export class AriCore {
  readonly channels = new Map<string, AriChannel>();
  readonly bridges = new Map<string, AriBridge>();
  readonly ids = new IdSource();
  readonly hub: EventHub;
  readonly now: () => number;
  /** Called after any bridge membership change (media routing follows it). */
  onBridgeChange: () => void = () => undefined;

  constructor(asteriskId: string, now: () => number) {
    this.now = now;
    this.hub = new EventHub(asteriskId, now);
  }

  /** Events about a channel reach its app only while it is subscribed. */
  emitChannel(channel: AriChannel, type: string, body: Record<string, unknown> = {}, lead: Record<string, unknown> = {}): void {
    if (!isSubscribed(channel)) return;
    this.hub.emit(channel.app, type, { ...body, channel: channelJson(channel) }, lead);
  }

  setVariable(channel: AriChannel, name: string, value: string): void {
    channel.variables.set(name, value);
    this.emitChannel(channel, 'ChannelVarset', {}, { variable: name, value });
  }

  stasisStart(channel: AriChannel, args: readonly string[], dialplan: Dialplan): void {
    channel.dialplan = dialplan;
    channel.inStasis = true;
    this.emitChannel(channel, 'StasisStart', { args: [...args] });
  }

  stasisEnd(channel: AriChannel): void {
    if (!channel.inStasis) return;
    this.emitChannel(channel, 'StasisEnd');
    channel.inStasis = false;
  }

  createBridge(app: string, name: string): AriBridge {
    const bridge: AriBridge = { id: this.ids.uuid(), name, app, createdAtMs: this.now(), channelIds: [], subscribed: false };
    this.bridges.set(bridge.id, bridge);
    return bridge;
  }

  joinBridge(bridge: AriBridge, channel: AriChannel): void {
    if (channel.bridgeId === bridge.id) return;
    if (channel.bridgeId !== undefined) this.leaveBridge(channel);
    bridge.channelIds.push(channel.id);
    bridge.subscribed = true;
    channel.bridgeId = bridge.id;
    this.emitChannel(channel, 'ChannelEnteredBridge', { bridge: bridgeJson(bridge) });
    if (bridge.channelIds.length === 2) {
      const [first, second] = bridge.channelIds.map((id) => this.channels.get(id));
      if (first !== undefined && second !== undefined) {
        this.setVariable(first, 'BRIDGEPEER', second.name);
        this.setVariable(second, 'BRIDGEPEER', first.name);
      }
    }
    this.onBridgeChange();
  }

  leaveBridge(channel: AriChannel): void {
    const bridge = channel.bridgeId === undefined ? undefined : this.bridges.get(channel.bridgeId);
    channel.bridgeId = undefined;
    if (bridge === undefined) return;
    const index = bridge.channelIds.indexOf(channel.id);
    if (index >= 0) bridge.channelIds.splice(index, 1);
    if ((channel.variables.get('BRIDGEPEER') ?? '') !== '') this.setVariable(channel, 'BRIDGEPEER', '');
    this.emitChannel(channel, 'ChannelLeftBridge', { bridge: bridgeJson(bridge) });
    this.onBridgeChange();
  }

  destroyBridge(bridge: AriBridge): void {
    for (const id of [...bridge.channelIds]) {
      const channel = this.channels.get(id);
      if (channel !== undefined) this.leaveBridge(channel);
    }
    this.bridges.delete(bridge.id);
    if (bridge.subscribed) this.hub.emit(bridge.app, 'BridgeDestroyed', { bridge: bridgeJson(bridge) });
  }

  hangupRequest(channel: AriChannel, how: HangupCause): void {
    const lead: Record<string, unknown> = { cause: how.cause };
    if (how.soft === true) lead['soft'] = true;
    if (how.techCause !== undefined) lead['tech_cause'] = how.techCause;
    this.emitChannel(channel, 'ChannelHangupRequest', {}, lead);
  }

  /** Removes a channel; ARI-created channels report ChannelDestroyed (dialplan ones never do). */
  destroy(channel: AriChannel, how: HangupCause): void {
    if (channel.destroyed) return;
    if (channel.bridgeId !== undefined) this.leaveBridge(channel);
    if (channel.kind === 'media') {
      channel.dialplan = { context: 'default', exten: 's', priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' };
      const body: Record<string, unknown> = { cause: how.cause, cause_txt: CAUSE_TEXT[how.cause] ?? 'Unknown' };
      if (how.techCause !== undefined) body['tech_cause'] = how.techCause;
      this.emitChannel(channel, 'ChannelDestroyed', body);
    }
    channel.destroyed = true;
    this.channels.delete(channel.id);
  }

  /** Channels bridged with `channel` (not itself). */
  bridgedWith(channel: AriChannel): AriChannel[] {
    const bridge = channel.bridgeId === undefined ? undefined : this.bridges.get(channel.bridgeId);
    if (bridge === undefined) return [];
    return bridge.channelIds.filter((id) => id !== channel.id).map((id) => this.channels.get(id)).filter((c) => c !== undefined);
  }
}

function isSubscribed(channel: AriChannel): boolean {
  if (channel.destroyed) return false;
  return channel.kind === 'media' ? true : channel.inStasis;
}
