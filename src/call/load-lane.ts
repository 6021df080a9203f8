import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireHostSlot } from './call-slots.ts';

/**
 * A turn at loading speech models. A call's start-up loads (Silero, the Vosk model, the voice, the
 * model warm-up) cost a few hundred ms of CPU; a burst of call starts doing them all at once
 * takes every core and the calls already running fall behind on fd 3. Host-wide load lanes let
 * at most `lanes` calls load at a time, leaving the other cores to the running calls. The wait is
 * bounded: past `maxWaitMs` a call loads anyway, since a caller who is never heard is worse.
 */
export interface LoadTurn {
  /** Lane held, or why none is (waited out, lanes unavailable on this host, the call ended). */
  lane: number | 'waited-out' | 'unavailable' | 'ended';
  waitedMs: number;
  release(): void;
}

export interface LoadLaneOptions {
  /** The call log path: installations (and tests) with different logs do not share lanes. */
  scope: string;
  /** Lanes on this host; 0 = one less than the CPU cores, at least 1. */
  lanes: number;
  maxWaitMs: number;
  signal: AbortSignal;
  pollMs?: number;
}

const MIN_POLL_MS = 5;

export function loadLaneCount(configured: number, cores = availableParallelism()): number {
  return configured > 0 ? configured : Math.max(1, cores - 1);
}

export async function takeLoadTurn(options: LoadLaneOptions): Promise<LoadTurn> {
  const started = performance.now();
  const limit = loadLaneCount(options.lanes);
  const pollMs = options.pollMs ?? 50;
  const waited = () => Math.round(performance.now() - started);
  for (;;) {
    if (options.signal.aborted) return { lane: 'ended', waitedMs: waited(), release: () => undefined };
    const result = await acquireHostSlot({ kind: 'loads', scope: options.scope, limit });
    if (result.kind === 'acquired') {
      const { slot } = result;
      return { lane: slot.index, waitedMs: waited(), release: () => slot.release() };
    }
    if (result.kind === 'unavailable') return { lane: 'unavailable', waitedMs: waited(), release: () => undefined };
    if (performance.now() - started >= options.maxWaitMs) return { lane: 'waited-out', waitedMs: waited(), release: () => undefined };
    // The longer a call has waited, the more often it tries: a freed lane goes mostly to the
    // oldest waiter rather than to a call that has just arrived.
    const intervalMs = Math.max(MIN_POLL_MS, pollMs - (performance.now() - started) / 20);
    await sleep(intervalMs, undefined, { signal: options.signal }).catch(() => undefined);
  }
}
