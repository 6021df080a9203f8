import type { WebSocketConnection } from '../../net/websocket.ts';
import { ariTimestamp } from './ari-model.ts';

/** One event as sent: compact JSON, one per text frame. */
export type AriEvent = Record<string, unknown>;

/**
 * The ARI applications and their events WebSockets. An app exists from its first connection on
 * (Asterisk keeps it registered, "deactivated", after the socket goes); events for an app with no
 * socket connected are dropped, never queued.
 */
export class EventHub {
  readonly #asteriskId: string;
  readonly #now: () => number;
  readonly #sockets = new Map<string, Set<WebSocketConnection>>();
  /** Every event built, delivered or not, for test assertions. */
  readonly log: { app: string; delivered: boolean; event: AriEvent }[] = [];

  constructor(asteriskId: string, now: () => number) {
    this.#asteriskId = asteriskId;
    this.#now = now;
  }

  attach(app: string, socket: WebSocketConnection): void {
    const set = this.#sockets.get(app) ?? new Set();
    set.add(socket);
    this.#sockets.set(app, set);
    socket.on('close', () => set.delete(socket));
  }

  /** Registered apps (connected now or before), in registration order. */
  apps(): string[] {
    return [...this.#sockets.keys()];
  }

  isActive(app: string): boolean {
    return (this.#sockets.get(app)?.size ?? 0) > 0;
  }

  sockets(): WebSocketConnection[] {
    return [...this.#sockets.values()].flatMap((set) => [...set]);
  }

  /**
   * Sends `{...lead, type, timestamp, ...body, asterisk_id, application}`: the key order Asterisk
   * uses (ChannelVarset and ChannelHangupRequest put their own fields in `lead`).
   */
  emit(app: string, type: string, body: Record<string, unknown>, lead: Record<string, unknown> = {}): void {
    const event: AriEvent = { ...lead, type, timestamp: ariTimestamp(this.#now()), ...body, asterisk_id: this.#asteriskId, application: app };
    const sockets = this.#sockets.get(app);
    const delivered = sockets !== undefined && sockets.size > 0;
    this.log.push({ app, delivered, event });
    if (!delivered) return;
    const text = JSON.stringify(event);
    for (const socket of sockets) socket.send(text);
  }
}
