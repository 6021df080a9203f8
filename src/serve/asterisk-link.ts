import { errorCode, errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import { withDeadline } from '../runtime/deadline.ts';
import { AriRest } from '../ari/rest.ts';
import { AriEventStream } from '../ari/events.ts';
import { serveEvent, stasisArgs, type AriChannel, type ServeEvent } from './ari-events.ts';
import { ServedCall, type ServedCallDeps } from './served-call.ts';
import type { ServeSettings } from './settings.ts';
import { dialplanVariables, type CallAction, type CallStatus } from '../call/status.ts';

/** An answered call whose process is gone: a person takes over. */
const ORPHANED: { action: CallAction; status: CallStatus } = { action: 'handoff', status: 'ERROR' };

export interface AsteriskLinkOptions {
  baseUrl: string;
  settings: ServeSettings;
  profile: ServedCallDeps['profile'];
  engines: ServedCallDeps['engines'];
  log: Logger;
}

/**
 * serve's attachment to one Asterisk: the events WebSocket (reconnected forever), the REST client
 * and the calls in Stasis there. Events lost while disconnected are made up for at each
 * (re)connect by a resync against what Asterisk holds.
 */
export class AsteriskLink {
  readonly baseUrl: string;
  readonly #options: AsteriskLinkOptions;
  readonly #rest: AriRest;
  readonly #events: AriEventStream;
  readonly #calls = new Map<string, { call: ServedCall; done: Promise<void> }>();
  /** External media channel id -> the call it belongs to. */
  readonly #media = new Map<string, ServedCall>();
  readonly #mediaWaiters = new Map<string, () => void>();
  #connected = false;
  #stopping = false;

  constructor(options: AsteriskLinkOptions) {
    this.#options = options;
    this.baseUrl = options.baseUrl;
    const { settings } = options;
    this.#rest = new AriRest({ baseUrl: options.baseUrl, username: settings.username, password: settings.password, timeoutMs: settings.timeoutMs });
    this.#events = new AriEventStream({
      baseUrl: options.baseUrl, app: settings.app, username: settings.username, password: settings.password, log: options.log,
      onEvent: (event) => this.#onEvent(event),
      onConnected: () => { this.#connected = true; void this.#resync(); },
      onDisconnected: () => { this.#connected = false; },
    });
  }

  get connected(): boolean { return this.#connected; }
  get callCount(): number { return this.#calls.size; }

  start(): void {
    this.#events.start();
  }

  /** No new calls; every call still up is handed back to the dialplan; resolves when all have ended. */
  async stop(deadlineMs: number): Promise<void> {
    this.#stopping = true;
    for (const { call } of this.#calls.values()) call.end('terminated', 'voicebot serve is stopping');
    const done = Promise.allSettled([...this.#calls.values()].map((entry) => entry.done));
    await withDeadline(done, deadlineMs, () => {
      this.#options.log.warn('ARI', 'calls still ending at the stop deadline', { calls: this.#calls.size, asterisk: this.baseUrl });
    });
    this.#events.close();
  }

  #onEvent(raw: unknown): void {
    const event = serveEvent(raw);
    if (event === undefined) return;
    const id = event.channel.id;
    const media = this.#media.get(id);
    if (media !== undefined) {
      this.#onMediaEvent(event, media);
      return;
    }
    if (event.type === 'StasisStart') {
      this.#startCall(event.channel, event.args);
      return;
    }
    const held = this.#calls.get(id)?.call;
    if (held === undefined) return;
    if (event.type === 'ChannelHangupRequest' || event.type === 'StasisEnd' || event.type === 'ChannelDestroyed') {
      held.end('caller', `${event.type}${'cause' in event && event.cause !== undefined ? ` cause ${event.cause}` : ''}`);
    }
  }

  #onMediaEvent(event: ServeEvent, call: ServedCall): void {
    const id = event.channel.id;
    if (event.type === 'StasisStart') {
      this.#mediaWaiters.get(id)?.();
      return;
    }
    if (event.type === 'ChannelDestroyed') this.#media.delete(id);
    if (event.type === 'ChannelHangupRequest' || event.type === 'ChannelDestroyed') call.end('media-lost', `media channel ${event.type}`);
  }

  #startCall(channel: AriChannel, args: readonly string[]): void {
    if (this.#calls.has(channel.id)) return;
    const log = this.#options.log;
    const call = new ServedCall(channel, args, {
      rest: this.#rest, baseUrl: this.baseUrl, settings: this.#options.settings, profile: this.#options.profile,
      engines: this.#options.engines, log,
      ownsMedia: (mediaId) => { this.#media.set(mediaId, call); },
      mediaInStasis: (mediaId, signal) => new Promise<void>((resolve) => {
        const done = () => { this.#mediaWaiters.delete(mediaId); signal.removeEventListener('abort', done); resolve(); };
        this.#mediaWaiters.set(mediaId, done);
        signal.addEventListener('abort', done, { once: true });
      }),
    });
    if (this.#stopping) call.end('terminated', 'voicebot serve is stopping');
    log.info('ARI', 'call in Stasis', { channel: channel.id, name: channel.name, args: args.join(','), asterisk: this.baseUrl });
    const done = call.run().finally(() => {
      this.#calls.delete(channel.id);
      if (call.mediaChannelId !== undefined) this.#media.delete(call.mediaChannelId);
    });
    this.#calls.set(channel.id, { call, done });
  }

  /**
   * After a (re)connect: events sent while the socket was down are lost. Calls whose channel left
   * meanwhile end; channels that entered Stasis meanwhile (their StasisStart lost) are served
   * (args from the dialplan's app_data); answered channels of a predecessor process go back to
   * the dialplan; its media channels and empty voicebot bridges are deleted.
   */
  async #resync(): Promise<void> {
    const log = this.#options.log;
    try {
      const app = await this.#rest.application(this.#options.settings.app);
      const inStasis = new Set(app.channelIds);
      for (const { call } of this.#calls.values()) {
        if (!inStasis.has(call.channelId)) call.end('caller', 'the channel left Stasis while the events socket was down');
      }
      const channels = await this.#rest.listChannels();
      for (const channel of channels) {
        if (!inStasis.has(channel.id) || this.#calls.has(channel.id) || this.#media.has(channel.id)) continue;
        await this.#adopt(channel);
      }
      for (const bridge of await this.#rest.listBridges()) {
        // Named for the caller channel (voicebot-<id>), so a call still setting up keeps its own.
        const owner = bridge.name?.startsWith('voicebot-') === true ? bridge.name.slice('voicebot-'.length) : undefined;
        if (owner !== undefined && !this.#calls.has(owner) && bridge.channels.length === 0) {
          await this.#rest.deleteBridge(bridge.id).catch(() => undefined);
          log.info('ARI', 'deleted a bridge left empty', { bridge: bridge.id });
        }
      }
      log.info('ARI', 'resynchronised', { asterisk: this.baseUrl, calls: this.#calls.size, inStasis: inStasis.size });
    } catch (error) {
      log.warn('ARI', 'resync failed (retried at the next reconnect)', { code: errorCode(error), error: errorMessage(error) });
    }
  }

  async #adopt(channel: AriChannel): Promise<void> {
    const log = this.#options.log;
    if (channel.name.startsWith('WebSocket/') || channel.name.startsWith('AudioSocket/')) {
      await this.#rest.hangup(channel.id).catch(() => undefined);
      log.info('ARI', 'deleted a media channel no call holds', { channel: channel.id });
      return;
    }
    if (channel.state === 'Ring' && !this.#stopping) {
      log.info('ARI', 'serving a call whose StasisStart was lost', { channel: channel.id });
      this.#startCall(channel, stasisArgs(channel));
      return;
    }
    // Answered by an earlier voicebot process: its conversation is gone; the dialplan takes over.
    try {
      for (const [name, value] of dialplanVariables(ORPHANED)) await this.#rest.setVariable(channel.id, name, value);
      await this.#rest.continueInDialplan(channel.id);
      log.warn('ARI', 'handed back a call no process holds', { channel: channel.id, state: channel.state });
    } catch (error) {
      log.info('ARI', 'could not hand back an orphaned channel', { channel: channel.id, error: errorMessage(error) });
    }
  }
}
