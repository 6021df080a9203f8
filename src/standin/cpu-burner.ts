import { setImmediate } from 'node:timers/promises';
import { pbkdf2, pbkdf2Sync } from 'node:crypto';
import { VoicebotError } from '../errors.ts';
import { abortError, throwIfAborted } from '../runtime/abortable.ts';

/**
 * TEST STAND-IN costs: CPU burnt on the libuv threadpool (where libvosk and sherpa-onnx do their
 * work, off the JS main thread) and memory held, as a real model would take them. Never on a live line.
 */

/** Longest single threadpool request: one burn never holds a libuv thread for longer than this. */
export const BURN_CHUNK_MS = 20;

const PASSWORD = Buffer.from('voicebot test stand-in');
const SALT = Buffer.from('voicebot salt');
/** One SHA-256 block: the work per iteration stays fixed. */
const KEY_BYTES = 32;
const DIGEST = 'sha256';
/** Calibration: this many timed samples of at least CALIBRATION_SAMPLE_MS each, a few ms in all. */
const CALIBRATION_SAMPLES = 5;
const CALIBRATION_SAMPLE_MS = 1;
const MAX_CALIBRATION_ITERATIONS = 1 << 28;

let iterationsPerMs: number | undefined;

/**
 * PBKDF2-SHA256 iterations that one millisecond of CPU does on this machine. Measured once per
 * process with a few ms of synchronous work on the calling thread, then cached. Timed by the wall
 * clock (thread CPU clocks tick every 4 ms on some kernels, too coarse for a few ms), and the
 * fastest sample wins: being preempted only makes a sample slower. Every full chunk burnt later is
 * one more sample (its wall time, queueing included, is never shorter than its CPU time), so a
 * process that started on a busy box converges on the idle-core figure. The burn is then fixed
 * work, as a model's is.
 */
export function calibrateBurner(): number {
  if (iterationsPerMs !== undefined) return iterationsPerMs;
  pbkdf2Sync(PASSWORD, SALT, 1, KEY_BYTES, DIGEST);
  let iterations = 256;
  let best = 0;
  let samples = 0;
  while (samples < CALIBRATION_SAMPLES && iterations <= MAX_CALIBRATION_ITERATIONS) {
    const started = performance.now();
    pbkdf2Sync(PASSWORD, SALT, iterations, KEY_BYTES, DIGEST);
    const tookMs = performance.now() - started;
    if (tookMs < CALIBRATION_SAMPLE_MS) {
      iterations *= 2;
      continue;
    }
    best = Math.max(best, iterations / tookMs);
    samples += 1;
  }
  if (best === 0) {
    throw new VoicebotError('STANDIN_CALIBRATION', 'could not time PBKDF2 on this machine. Fix: set test_stt_rtf and test_tts_rtf to 0 here');
  }
  iterationsPerMs = best;
  return best;
}

export interface BurnOptions {
  /** Aborting rejects at once with the signal's reason; at most one chunk in flight finishes on its own. */
  signal?: AbortSignal;
}

/**
 * Burn `ms` of CPU on the libuv threadpool, in chunks of at most BURN_CHUNK_MS run one after the
 * other (one thread at a time, as one recognizer or one voice does). The main thread stays free.
 */
export async function burnCpu(ms: number, options: BurnOptions = {}): Promise<void> {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new VoicebotError('STANDIN_BAD_BURN', `cannot burn ${ms} ms of CPU. Fix: pass a finite number of ms, 0 or more`);
  }
  const signal = options.signal;
  throwIfAborted(signal);
  if (ms === 0) return;
  const rate = calibrateBurner();
  const chunk = Math.max(1, Math.round(BURN_CHUNK_MS * rate));
  let left = Math.max(1, Math.round(ms * rate));
  while (left > 0) {
    const iterations = Math.min(chunk, left);
    const started = performance.now();
    await pbkdf2Chunk(iterations, signal);
    if (iterations === chunk) iterationsPerMs = Math.max(iterationsPerMs ?? rate, iterations / (performance.now() - started));
    left -= iterations;
  }
}

function pbkdf2Chunk(iterations: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal === undefined) {
      pbkdf2(PASSWORD, SALT, iterations, KEY_BYTES, DIGEST, (error) => (error === null ? resolve() : reject(error)));
      return;
    }
    const onAbort = (): void => reject(abortError(signal));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    pbkdf2(PASSWORD, SALT, iterations, KEY_BYTES, DIGEST, (error) => {
      signal.removeEventListener('abort', onAbort);
      if (error === null) resolve();
      else reject(error);
    });
  });
}

const MIB = 1024 * 1024;
/** Write stride: the smallest page size in use, so every page is touched on any kernel. */
const PAGE_BYTES = 4096;
const BLOCK_MB = 64;
/** Kept referenced for the life of the process, as a loaded model is. */
const heldBlocks: Uint8Array[] = [];
let heldMb = 0;

/**
 * Hold `megabytes` of resident memory for the rest of the process: allocate it and write every
 * page once, in 64 MB steps with the event loop running between them, as a real model load
 * (libvosk on the threadpool) takes its memory at call start and leaves the main thread free to
 * read fd 3. Once per process: a later call only adds what a larger figure asks for. Returns the
 * megabytes held.
 */
export async function touchMemory(megabytes: number): Promise<number> {
  checkMegabytes(megabytes);
  while (heldMb < megabytes) {
    touchBlock(megabytes);
    await setImmediate();
  }
  return heldMb;
}

function checkMegabytes(megabytes: number): void {
  if (!Number.isFinite(megabytes) || megabytes < 0) {
    throw new VoicebotError('STANDIN_BAD_MEMORY', `cannot hold ${megabytes} MB. Fix: pass a finite number of megabytes, 0 or more`);
  }
}

function touchBlock(megabytes: number): void {
  const mb = Math.min(BLOCK_MB, megabytes - heldMb);
  const block = new Uint8Array(Math.ceil(mb * MIB));
  for (let offset = 0; offset < block.length; offset += PAGE_BYTES) block[offset] = 1;
  heldBlocks.push(block);
  heldMb += mb;
}
