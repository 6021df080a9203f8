import { acceptWebSocket, isWebSocketUpgrade, refuseUpgrade } from '../../../src/net/websocket.ts';
import { Logger, type LogRecord } from '../../../src/log.ts';
import { MediaPeer, type MediaPeerOptions } from './media-peer.ts';
import type { ScriptedAsterisk } from './scripted-asterisk.ts';

/** `/media/<connectionId>` on the scripted Asterisk: each connection gets a MediaPeer; unknown ids get Asterisk's 404. */
export function serveMedia(asterisk: ScriptedAsterisk, connectionId: string, options: MediaPeerOptions): { peer: () => Promise<MediaPeer>; peers: MediaPeer[] } {
  const peers: MediaPeer[] = [];
  let waiting: ((peer: MediaPeer) => void) | undefined;
  asterisk.onUpgrade = (req, socket, head) => {
    if (req.url !== `/media/${connectionId}` || !isWebSocketUpgrade(req.headers)) {
      refuseUpgrade(socket, 404, 'Not found', { headers: [['Content-type', 'text/html']], body: '<p>WebSocket instance not found</p>' });
      return;
    }
    const peer = new MediaPeer(acceptWebSocket(req, socket, head), { connectionId, ...options });
    peers.push(peer);
    waiting?.(peer);
  };
  return {
    peers,
    peer: () => {
      const existing = peers.at(-1);
      return existing !== undefined ? Promise.resolve(existing) : new Promise((resolve) => { waiting = resolve; });
    },
  };
}

/** A logger whose records the test can read (and search for secrets). */
export function capturingLogger(): { log: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const log = new Logger({ stderr: false, level: 'debug' });
  log.addSink((record) => records.push(record));
  return { log, records };
}

/** 16-bit PCM of a sine tone. */
export function tone(frequencyHz: number, durationMs: number, sampleRateHz: number, amplitude = 8000): Int16Array {
  const samples = new Int16Array(Math.round((durationMs * sampleRateHz) / 1000));
  for (let i = 0; i < samples.length; i += 1) samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz));
  return samples;
}
