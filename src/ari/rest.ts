import { VoicebotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { AriError, ariErrorFromResponse, ariTransportError } from './errors.ts';
import type { AriApplication, AriApplicationJson, AriBridge, AriChannel, MediaFormat } from './types.ts';

export { AriError };

export interface AriRestOptions {
  /** Asterisk's HTTP server (http.conf), without credentials: http://127.0.0.1:8088 by default. */
  baseUrl?: string;
  username: string;
  /** Sent only in the Authorization header; never logged, never part of a URL or an error message. */
  password: string;
  /** Deadline of one request. */
  timeoutMs?: number;
  log?: Logger;
}

/** Per-request overrides. */
export interface AriRequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What `externalMedia` gives: the channel and the id of its /media/<id> WebSocket. */
export interface ExternalMedia {
  channelId: string;
  connectionId: string;
  optimalFrameSizeBytes: number;
  channel: AriChannel;
}

export const DEFAULT_ARI_URL = 'http://127.0.0.1:8088';
const DEFAULT_TIMEOUT_MS = 3000;
type Query = Record<string, string | number | undefined>;

/** The ARI REST calls voicebot makes, over fetch; every failure is an `AriError` with a stable code. */
export class AriRest {
  readonly baseUrl: string;
  readonly #authorization: string;
  readonly #timeoutMs: number;
  readonly #log: Logger | undefined;

  constructor(options: AriRestOptions) {
    this.baseUrl = checkedBaseUrl(options.baseUrl ?? DEFAULT_ARI_URL);
    this.#authorization = basicAuthorization(options.username, options.password);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#log = options.log;
  }

  answer(channelId: string, options?: AriRequestOptions): Promise<void> {
    return this.#void('POST', `/channels/${id(channelId)}/answer`, {}, options);
  }

  /** The variable's value; undefined when it is not set (Asterisk's 404 "Provided variable was not found"). */
  async getVariable(channelId: string, name: string, options?: AriRequestOptions): Promise<string | undefined> {
    try {
      const reply = await this.request('GET', `/channels/${id(channelId)}/variable`, { variable: name }, options) as { value?: unknown };
      return typeof reply?.value === 'string' ? reply.value : undefined;
    } catch (error) {
      if (error instanceof AriError && error.status === 404 && /variable/i.test(error.asteriskMessage)) return undefined;
      throw error;
    }
  }

  setVariable(channelId: string, name: string, value: string, options?: AriRequestOptions): Promise<void> {
    return this.#void('POST', `/channels/${id(channelId)}/variable`, { variable: name, value }, options);
  }

  /** Leaves Stasis: the dialplan goes on at the given place, or after Stasis() when none is given. */
  continueInDialplan(channelId: string, target: { context?: string; extension?: string; priority?: number } = {}, options?: AriRequestOptions): Promise<void> {
    return this.#void('POST', `/channels/${id(channelId)}/continue`, { ...target }, options);
  }

  hangup(channelId: string, reason = 'normal', options?: AriRequestOptions): Promise<void> {
    return this.#void('DELETE', `/channels/${id(channelId)}`, { reason }, options);
  }

  async createBridge(bridge: { type: 'mixing'; name?: string }, options?: AriRequestOptions): Promise<AriBridge> {
    return await this.request('POST', '/bridges', { type: bridge.type, name: bridge.name }, options) as AriBridge;
  }

  addChannel(bridgeId: string, channelIds: string | readonly string[], options?: AriRequestOptions): Promise<void> {
    const channel = typeof channelIds === 'string' ? channelIds : channelIds.join(',');
    return this.#void('POST', `/bridges/${id(bridgeId)}/addChannel`, { channel }, options);
  }

  deleteBridge(bridgeId: string, options?: AriRequestOptions): Promise<void> {
    return this.#void('DELETE', `/bridges/${id(bridgeId)}`, {}, options);
  }

  /** A chan_websocket channel in server mode: the app then connects to /media/<connectionId>. */
  async externalMedia(media: { app: string; format: MediaFormat }, options?: AriRequestOptions): Promise<ExternalMedia> {
    const query = { app: media.app, transport: 'websocket', encapsulation: 'none', format: media.format, connection_type: 'server' };
    const channel = await this.request('POST', '/channels/externalMedia', query, options) as AriChannel;
    const vars = channel?.channelvars ?? {};
    const connectionId = vars['MEDIA_WEBSOCKET_CONNECTION_ID'];
    const frameSize = Number(vars['MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE']);
    if (typeof channel?.id !== 'string' || typeof connectionId !== 'string' || connectionId === '') {
      throw new AriError('ARI_BAD_REPLY', 'externalMedia replied without MEDIA_WEBSOCKET_CONNECTION_ID: is this Asterisk 22.5 or newer (chan_websocket)?', { status: 200, asteriskMessage: '' });
    }
    return { channelId: channel.id, connectionId, optimalFrameSizeBytes: Number.isFinite(frameSize) ? frameSize : 0, channel };
  }

  async listChannels(options?: AriRequestOptions): Promise<AriChannel[]> {
    return await this.request('GET', '/channels', {}, options) as AriChannel[];
  }

  async listBridges(options?: AriRequestOptions): Promise<AriBridge[]> {
    return await this.request('GET', '/bridges', {}, options) as AriBridge[];
  }

  /** The app as Asterisk holds it: the channels in Stasis there (kept while the events socket is down). */
  async application(name: string, options?: AriRequestOptions): Promise<AriApplication> {
    const app = await this.request('GET', `/applications/${id(name)}`, {}, options) as AriApplicationJson;
    return { name: app.name, channelIds: app.channel_ids ?? [], bridgeIds: app.bridge_ids ?? [], endpointIds: app.endpoint_ids ?? [] };
  }

  /** One ARI call (`path` below /ari); resolves the parsed JSON body, undefined for 204. */
  async request(method: string, path: string, query: Query = {}, options: AriRequestOptions = {}): Promise<unknown> {
    const url = new URL(`${this.baseUrl}/ari${path}`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
    const startedAtMs = performance.now();
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { method, headers: { Authorization: this.#authorization, Accept: 'application/json' }, signal });
      text = await response.text();
    } catch (error) {
      throw ariTransportError(error, { method, path, timeoutMs, timedOut: deadline.aborted, host: url.host });
    }
    this.#log?.debug('ARI', 'request', { method, path, status: response.status, ms: Math.round(performance.now() - startedAtMs) });
    if (!response.ok) throw ariErrorFromResponse(response.status, response.statusText, text, { method, path });
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AriError('ARI_BAD_REPLY', `${method} ${path}: Asterisk replied ${response.status} with a body that is not JSON`, { status: response.status, asteriskMessage: '' });
    }
  }

  async #void(method: string, path: string, query: Query, options: AriRequestOptions | undefined): Promise<void> {
    await this.request(method, path, query, options);
  }
}

/** `Authorization: Basic ...` for an ARI user. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** http(s)://host:port without a trailing slash; credentials in the URL are refused (they would leak into logs). */
export function checkedBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new VoicebotError('ARI_BAD_URL', `'${baseUrl}' is not a URL: give http://<host>:<port> of Asterisk's http.conf`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new VoicebotError('ARI_BAD_URL', `the ARI URL ${url.protocol}//${url.host} carries credentials: pass them as username and password instead`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new VoicebotError('ARI_BAD_URL', `${url.protocol}//${url.host} is not an http:// URL`);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** A path segment: ids are Asterisk's (uniqueid, UUID) but never trusted to be URL-safe. */
function id(value: string): string {
  return encodeURIComponent(value);
}
