import type { Config, KeyName } from '../config/keys/index.ts';
import type { ValueSource } from '../config/load.ts';
import { errorCode, errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { HttpToolSpec } from '../tools/types.ts';
import { acquireCallSlot, type CallSlot } from '../call/call-slots.ts';
import { runConversation, type SharedEngines } from '../call/compose.ts';
import type { CallIdentity, CallLine } from '../call/line.ts';
import { preflight } from '../call/preflight.ts';
import { recordUnanswered } from '../call/unanswered.ts';
import { BUSY_OUTCOME, dialplanVariables, REFUSED_OUTCOME, unansweredVariables, type UnansweredOutcome } from '../call/status.ts';
import { untilAborted, withDeadline } from '../runtime/deadline.ts';
import type { AriRest } from '../ari/rest.ts';
import { MediaSocket } from '../ari/media.ts';
import { ariCallChannel } from '../ari/call-channel.ts';
import type { AriChannel } from './ari-events.ts';
import type { ServeSettings } from './settings.ts';

/** One profile's settings as serve resolved them (or why they cannot be). */
export type ProfileSettings =
  | { ok: true; config: Config; configFile: string; sources: Record<KeyName, ValueSource>; tools: HttpToolSpec[] }
  | { ok: false; problem: string; fallback: Config | undefined };

export interface ServedCallDeps {
  rest: AriRest;
  /** Base URL of this Asterisk (http://host:port). */
  baseUrl: string;
  settings: ServeSettings;
  profile(name: string | undefined): ProfileSettings;
  engines: SharedEngines;
  log: Logger;
  /** Resolves when the external media channel's StasisStart arrives (it comes after the media socket connects). */
  mediaInStasis(channelId: string, signal: AbortSignal): Promise<void>;
  /** The call's media channel id is known: route its events here. */
  ownsMedia(channelId: string): void;
}

/** Why a served call ended from outside the session; `hangupCause` is what hangupOutcome reads. */
export class ServedCallEnd extends Error {
  readonly hangupCause: 'caller' | 'terminated' | 'media-lost';

  constructor(cause: 'caller' | 'terminated' | 'media-lost', detail: string) {
    super(detail);
    this.name = 'ServedCallEnd';
    this.hangupCause = cause;
  }
}

/** How long building the media path (bridge, external media channel, its socket) may take in all. */
const MEDIA_SETUP_MS = 5000;

/**
 * One call over ARI: from the caller channel's StasisStart to its return to the dialplan. The
 * same call session as EAGI runs over a bridge with an external media channel (chan_websocket);
 * at every end the media channel and the bridge are deleted, since Asterisk keeps them otherwise.
 */
export class ServedCall {
  readonly channelId: string;
  readonly identity: CallIdentity;
  readonly profileName: string | undefined;
  readonly startedAtMs = Date.now();
  readonly #deps: ServedCallDeps;
  readonly #hangup = new AbortController();
  readonly #log: Logger;
  #mediaChannelId: string | undefined;
  #bridgeId: string | undefined;
  #media: MediaSocket | undefined;
  #answered = false;

  constructor(channel: AriChannel, args: readonly string[], deps: ServedCallDeps) {
    this.channelId = channel.id;
    this.profileName = args[0] === undefined || args[0] === '' ? undefined : args[0];
    this.identity = {
      uniqueId: channel.id, channel: channel.name, callerId: channel.caller?.number ?? '', callerIdName: channel.caller?.name ?? '',
      dnid: '', context: channel.dialplan?.context ?? '', extension: channel.dialplan?.exten ?? '',
    };
    this.#deps = deps;
    this.#log = deps.log.withCallId(channel.id);
  }

  get mediaChannelId(): string | undefined { return this.#mediaChannelId; }
  get bridgeId(): string | undefined { return this.#bridgeId; }
  get ended(): boolean { return this.#hangup.signal.aborted; }

  /** The caller hung up, the service is stopping, or the media path broke. */
  end(cause: ServedCallEnd['hangupCause'], detail: string): void {
    if (!this.#hangup.signal.aborted) this.#hangup.abort(new ServedCallEnd(cause, detail));
  }

  /** Why the call ended from outside; undefined while it runs (or when the session ended it). */
  #endedBy(): ServedCallEnd['hangupCause'] | undefined {
    return (this.#hangup.signal.reason as ServedCallEnd | undefined)?.hangupCause;
  }

  /** Runs the call to its end; never throws (a failure in one call never reaches another). */
  async run(): Promise<void> {
    let slot: CallSlot | undefined;
    try {
      const settings = this.#deps.profile(this.profileName);
      if (!settings.ok) {
        await this.#refuse(REFUSED_OUTCOME, settings.fallback, [settings.problem]);
        return;
      }
      const admitted = await this.#admit(settings.config);
      if (admitted === 'busy') return;
      slot = admitted;
      const problems = preflight(settings.config, settings.configFile, settings.sources);
      if (problems.length > 0) {
        await this.#refuse(REFUSED_OUTCOME, settings.config, problems);
        return;
      }
      await this.#converse(settings);
    } catch (error) {
      if (this.#hangup.signal.aborted) {
        this.#log.info('CALL', 'call ended while it was set up', { reason: errorMessage(this.#hangup.signal.reason), error: errorMessage(error) });
        if (this.#endedBy() !== 'caller') await this.#handBack(unansweredVariables(REFUSED_OUTCOME));
        return;
      }
      this.#log.error('CALL', 'call failed', { code: errorCode(error), error: errorMessage(error) });
      await this.#handBack(this.#answered ? dialplanVariables({ action: 'handoff', status: 'ERROR' }) : unansweredVariables(REFUSED_OUTCOME));
    } finally {
      slot?.release();
      await this.#cleanUp();
    }
  }

  async #converse(settings: Extract<ProfileSettings, { ok: true }>): Promise<void> {
    const media = await this.#openMedia();
    if (media === undefined) {
      // Ended while the media path was built: the caller left, or serve is stopping (hand it back).
      if (this.#endedBy() !== 'caller') await this.#handBack(unansweredVariables(REFUSED_OUTCOME));
      return;
    }
    const { rest, log } = this.#deps;
    const signal = this.#hangup.signal;
    const line: CallLine = {
      identity: this.identity, hangup: signal, audio: media.frames, audioError: undefined,
      channel: () => {
        const channel = ariCallChannel({ media, rest, channelId: this.channelId, hangup: signal, log: this.#log });
        return { ...channel, answer: async () => { await channel.answer(); this.#answered = true; } };
      },
    };
    media.closed.then(() => this.end('media-lost', 'the media WebSocket closed'), () => undefined);
    await runConversation({
      line, config: settings.config, configFile: settings.configFile, profile: this.profileName, log: this.#log,
      startedAtMs: this.startedAtMs, tools: settings.tools, shared: this.#deps.engines,
    });
    log.debug('CALL', 'session done', { channel: this.channelId });
    // The session set VOICEBOT_*; a channel still in Stasis goes on in the dialplan after Stasis().
    if (this.#endedBy() !== 'caller') await this.#continue();
  }

  /** Bridge + external media channel + its socket; undefined when the call ended meanwhile. */
  async #openMedia(): Promise<MediaSocket | undefined> {
    const { rest, settings } = this.#deps;
    const signal = AbortSignal.any([this.#hangup.signal, AbortSignal.timeout(MEDIA_SETUP_MS)]);
    const bridge = await rest.createBridge({ type: 'mixing', name: `voicebot-${this.channelId}` });
    this.#bridgeId = bridge.id;
    const external = await rest.externalMedia({ app: settings.app, format: settings.mediaFormat });
    this.#mediaChannelId = external.channelId;
    this.#deps.ownsMedia(external.channelId);
    const inStasis = this.#deps.mediaInStasis(external.channelId, signal);
    this.#media = await MediaSocket.connect({ baseUrl: this.#deps.baseUrl, connectionId: external.connectionId, timeoutMs: settings.timeoutMs, log: this.#log, signal });
    await untilAborted(inStasis, signal, () => undefined);
    if (this.#hangup.signal.aborted) return undefined;
    if (signal.aborted) throw new Error(`the media channel did not enter Stasis within ${MEDIA_SETUP_MS} ms`);
    await rest.addChannel(bridge.id, [this.channelId, external.channelId]);
    this.#log.info('CALL', 'media up', { format: this.#media.format, bridge: bridge.id, mediaChannel: external.channelId, profile: this.profileName ?? 'general' });
    return this.#media;
  }

  async #admit(config: Config): Promise<CallSlot | undefined | 'busy'> {
    if (config.max_concurrent_calls <= 0) return undefined;
    const result = await acquireCallSlot({ scope: config.db_path, limit: config.max_concurrent_calls });
    if (result.kind === 'acquired') return result.slot;
    if (result.kind === 'unavailable') {
      this.#log.warn('CALL', 'max_concurrent_calls cannot be enforced here; answering', { error: result.reason });
      return undefined;
    }
    this.#log.warn('CALL', 'not answering: busy', { error: `all ${config.max_concurrent_calls} call slots are in use (max_concurrent_calls)` });
    await this.#refuse(BUSY_OUTCOME, config, []);
    return 'busy';
  }

  /** Not answered: the status for the dialplan, the row for the call log, the channel back to the dialplan. */
  async #refuse(end: UnansweredOutcome, config: Config | undefined, problems: readonly string[]): Promise<void> {
    for (const problem of problems) this.#log.error('CALL', 'not answering: setup error', { error: problem });
    await this.#handBack(unansweredVariables(end));
    await recordUnanswered({ identity: this.identity, config, profile: this.profileName, startedAtMs: this.startedAtMs, log: this.#log }, end, problems);
  }

  async #handBack(variables: readonly [string, string][]): Promise<void> {
    try {
      for (const [name, value] of variables) await this.#deps.rest.setVariable(this.channelId, name, value);
    } catch (error) {
      this.#log.warn('CALL', 'could not set the dialplan variables', { error: errorMessage(error) });
    }
    await this.#continue();
  }

  async #continue(): Promise<void> {
    try {
      await this.#deps.rest.continueInDialplan(this.channelId);
    } catch (error) {
      // 404: the caller hung up meanwhile; nothing to hand back.
      const level = errorCode(error) === 'ARI_NOT_FOUND' ? 'info' : 'warn';
      this.#log[level]('CALL', 'could not return the channel to the dialplan', { error: errorMessage(error), answered: this.#answered });
    }
  }

  /** Asterisk never removes these by itself: the media channel outlives the caller, an empty bridge stays forever. */
  async #cleanUp(): Promise<void> {
    this.end('terminated', 'call finished');
    this.#media?.close();
    const { rest } = this.#deps;
    const jobs: Promise<unknown>[] = [];
    if (this.#mediaChannelId !== undefined) jobs.push(rest.hangup(this.#mediaChannelId));
    if (this.#bridgeId !== undefined) jobs.push(rest.deleteBridge(this.#bridgeId));
    const results = await withDeadline(Promise.allSettled(jobs), this.#deps.settings.timeoutMs * 2, () => []);
    for (const result of results) {
      if (result.status === 'rejected' && errorCode(result.reason) !== 'ARI_NOT_FOUND') {
        this.#log.warn('CALL', 'could not delete the media channel or bridge (the next resync retries)', { error: errorMessage(result.reason) });
      }
    }
  }
}
