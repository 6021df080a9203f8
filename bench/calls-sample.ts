import { closeSync, constants, openSync } from 'node:fs';
import { loadKoffi } from '../src/runtime/native.ts';
import { procMemoryKb, procStat } from '../test/faults/support/proc.ts';

/** FIONREAD on Linux: bytes waiting in a pipe. */
const FIONREAD = 0x541b;
let ioctlBytes: ((fd: number) => number) | undefined;

function pipeBytes(): (fd: number) => number {
  if (ioctlBytes !== undefined) return ioctlBytes;
  const koffi = loadKoffi();
  const libc = koffi.load('libc.so.6');
  const ioctl = libc.func('int ioctl(int fd, unsigned long request, _Out_ int *count)');
  ioctlBytes = (fd: number) => {
    const count = [0];
    return ioctl(fd, FIONREAD, count) === 0 ? (count[0] ?? 0) : -1;
  };
  return ioctlBytes;
}

export interface ProcessSamples {
  /** Audio waiting in the fd 3 pipe, in ms (8 kHz slin: 16 bytes per ms), one per sample. */
  fd3LagMs: number[];
  /** Wall-clock time (epoch ms) of each fd3LagMs sample. */
  fd3LagAtMs: number[];
  peakRssKb: number;
  peakRssAnonKb: number;
  lastHwmKb: number;
  cpuMs: number;
  samples: number;
}

/**
 * Samples one voicebot process every `everyMs`: RSS from /proc/<pid>/status, CPU from
 * /proc/<pid>/stat and the fd 3 backlog (how far the reader is behind real time) by opening the
 * process's fd 3 pipe through /proc and asking the kernel how many bytes wait in it (FIONREAD).
 */
export class ProcessSampler {
  readonly pid: number;
  readonly result: ProcessSamples = { fd3LagMs: [], fd3LagAtMs: [], peakRssKb: 0, peakRssAnonKb: 0, lastHwmKb: 0, cpuMs: 0, samples: 0 };
  readonly #bytesPerMs: number;
  #pipeFd: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(pid: number, options: { everyMs?: number; channelRateHz?: number } = {}) {
    this.pid = pid;
    this.#bytesPerMs = ((options.channelRateHz ?? 8000) * 2) / 1000;
    try {
      this.#pipeFd = openSync(`/proc/${pid}/fd/3`, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      this.#pipeFd = undefined;
    }
    this.#timer = setInterval(() => this.sample(), options.everyMs ?? 100);
    this.sample();
  }

  sample(): void {
    const memory = procMemoryKb(this.pid);
    const stat = procStat(this.pid);
    if (memory === undefined || stat === undefined || stat.state === 'Z') {
      this.stop();
      return;
    }
    this.result.samples += 1;
    this.result.peakRssKb = Math.max(this.result.peakRssKb, memory['VmRSS'] ?? 0);
    this.result.peakRssAnonKb = Math.max(this.result.peakRssAnonKb, memory['RssAnon'] ?? 0);
    this.result.lastHwmKb = memory['VmHWM'] ?? this.result.lastHwmKb;
    this.result.cpuMs = stat.cpuMs;
    if (this.#pipeFd !== undefined) {
      const bytes = pipeBytes()(this.#pipeFd);
      if (bytes >= 0) {
        this.result.fd3LagMs.push(bytes / this.#bytesPerMs);
        this.result.fd3LagAtMs.push(Date.now());
      }
    }
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#pipeFd !== undefined) {
      try { closeSync(this.#pipeFd); } catch { /* closed */ }
      this.#pipeFd = undefined;
    }
  }
}
