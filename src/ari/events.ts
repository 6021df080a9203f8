import { setTimeout as sleep } from 'node:timers/promises';
import { connectWebSocket, WebSocketConnectError, type CloseInfo, type WebSocketConnection } from '../net/websocket.ts';
import type { Logger } from '../log.ts';
import { AriError } from './errors.ts';
import { basicAuthorization, checkedBaseUrl, DEFAULT_ARI_URL } from './rest.ts';
import type { AriEvent } from './types.ts';


export interface AriEventStreamOptions {
  baseUrl?: string;
  username: string;
  /** Sent only in the Authorization header; never logged. */
  password: string;
  /** The Stasis application to register (Stasis(<app>,...) in the dialplan). */
  app: string;
  log: Logger;
  /** Each event, parsed (one JSON object per text frame), in order. */
  onEvent: (event: AriEvent) => void;
  /**
   * The socket is up. Events during a disconnect are lost (Asterisk does not queue them): on
   * every `reconnect` the app must resynchronise from REST.
   */
  onConnected?: (info: { reconnect: boolean }) => void;
  /** The socket ended (close frame, TCP end, `core stop now`); reconnecting follows unless closed. */
  onDisconnected?: (info: CloseInfo) => void;
  /** A connect failure, once per streak of the same failure (a 401 first of all); retrying goes on. */
  onError?: (error: AriError) => void;
  /** Deadline of one connect (TCP + handshake). */
  connectTimeoutMs?: number;
  /** First retry delay; doubles up to `maxRetryMs` (each with ±20 % jitter). */
  initialRetryMs?: number;
  maxRetryMs?: number;
  /** Retry delay after a 401 (a wrong password does not fix itself quickly). */
  authRetryMs?: number;
}

/** A connection that lasted this long resets the retry delay to its first step. */
const STABLE_CONNECTION_MS = 5000;

/**
 * The ARI events WebSocket of one app, reconnecting forever (with backoff) from `start()` until
 * `close()`. Asterisk's `core stop now` sends no close frame: the TCP end counts as a disconnect.
 */
export class AriEventStream {
  readonly url: string;
  readonly #options: AriEventStreamOptions;
  readonly #authorization: string;
  readonly #stop = new AbortController();
  #socket: WebSocketConnection | undefined;
  #lastFailure = '';
  #done: Promise<void> | undefined;

  constructor(options: AriEventStreamOptions) {
    const base = checkedBaseUrl(options.baseUrl ?? DEFAULT_ARI_URL).replace(/^http/, 'ws');
    const query = new URLSearchParams({ app: options.app, subscribeAll: 'false' });
    this.url = `${base}/ari/events?${query.toString()}`;
    this.#authorization = basicAuthorization(options.username, options.password);
    this.#options = options;
  }

  get isConnected(): boolean {
    return this.#socket?.isOpen === true;
  }

  /** Starts connecting (once). */
  start(): void {
    this.#done ??= this.#run();
  }

  /** Stops reconnecting and closes the socket (close 1000); resolves when the loop has ended. */
  async close(): Promise<void> {
    this.#stop.abort();
    this.#socket?.close(1000, '');
    await this.#done;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    const firstRetryMs = this.#options.initialRetryMs ?? 250;
    let retryMs = firstRetryMs;
    let connectedBefore = false;
    while (!signal.aborted) {
      const startedAtMs = performance.now();
      const outcome = await this.#connectOnce(connectedBefore);
      if (signal.aborted) break;
      let waitMs = retryMs;
      if (outcome === 'auth') {
        waitMs = this.#options.authRetryMs ?? 30_000;
      } else {
        if (outcome === 'connected') connectedBefore = true;
        if (outcome === 'connected' && performance.now() - startedAtMs >= STABLE_CONNECTION_MS) waitMs = firstRetryMs;
        retryMs = Math.min(waitMs * 2, this.#options.maxRetryMs ?? 5000);
      }
      await sleep(jittered(waitMs), undefined, { signal }).catch(() => undefined);
    }
  }

  /** One connection from handshake to its end; what happened decides the next delay. */
  async #connectOnce(reconnect: boolean): Promise<'connected' | 'failed' | 'auth'> {
    const { log } = this.#options;
    let closed: Promise<CloseInfo> = Promise.resolve({ code: 1006, reason: '', clean: false });
    let socket: WebSocketConnection;
    try {
      // `onConnected` runs before the first event, which may come with the 101 itself.
      socket = await connectWebSocket(this.url, { headers: { Authorization: this.#authorization }, timeoutMs: this.#options.connectTimeoutMs ?? 3000, signal: this.#stop.signal, onOpen: (ws) => {
        closed = new Promise<CloseInfo>((resolve) => ws.once('close', resolve));
        ws.on('text', (text) => this.#onText(text));
        ws.on('binary', () => log.warn('ARI', 'ARI events: ignored a binary message'));
        this.#socket = ws;
        log.info('ARI', reconnect ? 'events reconnected (events meanwhile are lost: resynchronise)' : 'events connected', { app: this.#options.app });
        this.#callback(() => this.#options.onConnected?.({ reconnect }));
      } });
    } catch (error) {
      return this.#connectFailed(error);
    }
    this.#lastFailure = '';
    if (this.#stop.signal.aborted) socket.close(1000, '');
    const info = await closed;
    this.#socket = undefined;
    if (!this.#stop.signal.aborted) log.warn('ARI', 'events disconnected; reconnecting', { code: info.code, reason: info.reason, clean: info.clean });
    this.#callback(() => this.#options.onDisconnected?.(info));
    return 'connected';
  }

  #connectFailed(error: unknown): 'failed' | 'auth' {
    if (this.#stop.signal.aborted) return 'failed';
    const { log, app } = this.#options;
    const status = error instanceof WebSocketConnectError ? error.status : 0;
    const auth = status === 401 || status === 403;
    const message = auth
      ? `Asterisk refused the ARI user for app ${app} (${status}): check ari_username and the password against ari.conf`
      : `cannot connect the ARI events WebSocket: ${error instanceof Error ? error.message : String(error)}`;
    const code = auth ? 'ARI_AUTH' : status === 0 ? 'ARI_UNREACHABLE' : status >= 500 ? 'ARI_SERVER' : 'ARI_BAD_REQUEST';
    const key = `${code}:${status}`;
    if (key === this.#lastFailure) {
      log.debug('ARI', 'events: still cannot connect', { code });
    } else {
      this.#lastFailure = key;
      log[auth ? 'error' : 'warn']('ARI', message, { code });
      const failure = new AriError(code, message, { status, asteriskMessage: '', cause: error });
      this.#callback(() => this.#options.onError?.(failure));
    }
    return auth ? 'auth' : 'failed';
  }

  #onText(text: string): void {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      this.#options.log.warn('ARI', 'events: skipped a message that is not JSON', { bytes: text.length });
      return;
    }
    if (event === null || typeof event !== 'object' || typeof (event as { type?: unknown }).type !== 'string') {
      this.#options.log.warn('ARI', 'events: skipped a message without a type', { bytes: text.length });
      return;
    }
    this.#callback(() => this.#options.onEvent(event as AriEvent));
  }

  /** A throwing handler must not stop the stream. */
  #callback(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#options.log.error('ARI', 'an events handler threw', { error: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** `ms` ± 20 %, so that many clients of one restarted Asterisk do not reconnect in step. */
function jittered(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}
