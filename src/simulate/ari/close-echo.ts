import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { closePayload, encodeFrame, OPCODE } from '../../net/websocket-frames.ts';

/**
 * A pass-through over the TCP socket of a server-side WebSocket that changes the close frame
 * written in answer to the peer's close: chan_websocket answers an app's close 1000 with 1001,
 * while WebSocketConnection echoes the peer's code. Close frames the server starts itself
 * (after `ownClose()`) pass unchanged. Each frame arrives here in one write.
 */
export function closeEchoSocket(socket: Socket, echoCode: number): { duplex: Duplex; ownClose: () => void } {
  let own = false;
  const duplex = new Duplex({
    read() { socket.resume(); },
    write(chunk: Buffer, _encoding, callback) {
      const isClose = chunk.length >= 2 && chunk[0] === (0x80 | OPCODE.close);
      const out = isClose && !own ? encodeFrame(OPCODE.close, closePayload(echoCode, ''), { mask: false }) : chunk;
      socket.write(out, (error) => callback(error ?? null));
    },
    final(callback) { socket.end(); callback(); },
    destroy(error, callback) { socket.destroy(); callback(error); },
  });
  socket.on('data', (data: Buffer) => { if (!duplex.push(data)) socket.pause(); });
  socket.on('end', () => duplex.push(null));
  socket.on('close', () => duplex.destroy());
  socket.on('error', (error) => duplex.destroy(error));
  return { duplex, ownClose: () => { own = true; } };
}
