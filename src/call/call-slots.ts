import { createServer, type Server } from 'node:net';

/**
 * Host-wide slots (call slots for max_concurrent_calls, load lanes for model_load_lanes). Slot i
 * is an abstract Unix socket bound by the process holding it: the kernel frees it the instant the
 * process dies (SIGKILL and crashes
 * included), so a slot never leaks and nothing is left on disk. Abstract sockets belong to the
 * network namespace, which every voicebot started by one Asterisk shares. `scope` (the call log
 * path) keeps separate installations, and tests, apart.
 */
export interface CallSlot {
  index: number;
  release(): void;
}

export type SlotResult =
  | { kind: 'acquired'; slot: CallSlot }
  | { kind: 'full' }
  /** Slots cannot work here (not Linux, no abstract sockets): the caller decides to admit. */
  | { kind: 'unavailable'; reason: string };

export async function acquireCallSlot(options: { scope: string; limit: number }): Promise<SlotResult> {
  return acquireHostSlot({ ...options, kind: 'calls' });
}

/** The first free slot of `kind` (its own set of `limit` slots per scope), or 'full'. */
export async function acquireHostSlot(options: { kind: string; scope: string; limit: number }): Promise<SlotResult> {
  const prefix = `\0voicebot-${options.kind}-${fnv1a(options.scope)}-`;
  for (let index = 0; index < options.limit; index += 1) {
    const outcome = await bind(`${prefix}${index}`);
    if (outcome === 'in-use') continue;
    if (typeof outcome === 'string') return { kind: 'unavailable', reason: outcome };
    const server = outcome;
    return { kind: 'acquired', slot: { index, release: () => server.close() } };
  }
  return { kind: 'full' };
}

/** The bound server, 'in-use', or the reason binding failed otherwise. */
function bind(path: string): Promise<Server | 'in-use' | string> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' ? 'in-use' : `${error.code ?? 'error'}: ${error.message}`));
    server.listen({ path, exclusive: true }, () => {
      // A held slot must not keep the process alive once the call is over.
      server.unref();
      resolve(server);
    });
  });
}

/** 32-bit FNV-1a, hex: a short stable name for the scope (the call log path). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
