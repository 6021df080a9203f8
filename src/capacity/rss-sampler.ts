import { readFileSync } from 'node:fs';

/** A process's resident memory from /proc (kB); undefined when it is gone or there is no /proc. */
export function procRssKb(pid: number | 'self'): { rssKb: number; hwmKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (rss === null) return undefined;
    return { rssKb: Number(rss[1]), hwmKb: Number(hwm?.[1] ?? rss[1]) };
  } catch {
    return undefined;
  }
}

/**
 * Samples the resident memory of the running call processes: each one's peak (VmHWM, read until
 * it exits) and the peak of their sum, i.e. what the calls of one level needed at once.
 */
export class RssSampler {
  readonly #pids = new Set<number>();
  readonly #peakKb = new Map<number, number>();
  #peakTotalKb = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(everyMs = 500) {
    this.#timer = setInterval(() => this.sample(), everyMs);
    this.#timer.unref();
  }

  add(pid: number): void {
    if (pid > 0) this.#pids.add(pid);
  }

  sample(): void {
    let totalKb = 0;
    for (const pid of this.#pids) {
      const memory = procRssKb(pid);
      if (memory === undefined) {
        this.#pids.delete(pid);
        continue;
      }
      totalKb += memory.rssKb;
      this.#peakKb.set(pid, Math.max(this.#peakKb.get(pid) ?? 0, memory.hwmKb));
    }
    this.#peakTotalKb = Math.max(this.#peakTotalKb, totalKb);
  }

  /** Largest per-process peak and the peak of the sum (MB); undefined when nothing was read. */
  stop(): { peakPerCallMb: number; peakTotalMb: number } | undefined {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#peakKb.size === 0) return undefined;
    return { peakPerCallMb: Math.max(...this.#peakKb.values()) / 1024, peakTotalMb: this.#peakTotalKb / 1024 };
  }
}
