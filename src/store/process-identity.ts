import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Which process wrote a call row: enough to tell later whether it still runs. */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** The kernel's boot id: a pid from another boot is not this boot's process. */
  bootId: string | undefined;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22): tells a reused pid apart. */
  procStart: number | undefined;
}

/** This process. */
export function currentProcess(): ProcessIdentity {
  return { host: hostname(), pid: process.pid, bootId: bootId(), procStart: procStartTicks(process.pid) };
}

/**
 * Whether the process that wrote a row is gone: true when it no longer runs, false when it does,
 * undefined when this host cannot tell (another host, or a row written before pids were stored).
 */
export function processGone(row: { host: string | null; pid: number | null; boot_id: string | null; proc_start: number | null }, self: ProcessIdentity = currentProcess()): boolean | undefined {
  // Rows from before schema v3 (or read from an older file) have no pid.
  if (row.pid === null || row.pid === undefined || row.host !== self.host) return undefined;
  if (row.boot_id !== null && self.bootId !== undefined && row.boot_id !== self.bootId) return true;
  const stat = procStat(row.pid);
  if (stat === undefined || stat.state === 'Z') return true;
  return row.proc_start !== null && stat.startTicks !== row.proc_start;
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function procStartTicks(pid: number): number | undefined {
  return procStat(pid)?.startTicks;
}

function procStat(pid: number): { state: string; startTicks: number | undefined } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, so starttime (field 22) is index 19.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]);
    return { state: fields[0] ?? '?', startTicks: Number.isFinite(start) ? start : undefined };
  } catch {
    return undefined;
  }
}
