import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pids of live children of `parentPid` whose environment holds `key=value` (read from /proc, so a
 * test finds the voicebot process a fake Asterisk started without reaching into the fake).
 */
export function childrenWithEnv(parentPid: number, key: string, value: string): number[] {
  const wanted = `${key}=${value}`;
  const found: number[] = [];
  for (const entry of safeList('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat === undefined || stat.ppid !== parentPid || stat.state === 'Z') continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (environ.includes(wanted)) found.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

/** Processes in `pid`'s subtree (children, grandchildren, ...), live ones only. */
export function descendants(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const entry of safeList('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat === undefined || stat.state === 'Z') continue;
    byParent.set(stat.ppid, [...(byParent.get(stat.ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    for (const child of byParent.get(stack.pop()!) ?? []) {
      out.push(child);
      stack.push(child);
    }
  }
  return out;
}

export interface ProcStat {
  state: string;
  ppid: number;
  pgrp: number;
  /** utime + stime, ms. */
  cpuMs: number;
}

/** /proc/<pid>/stat, or undefined when the process is gone. */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name in parentheses: state(3) ppid(4) pgrp(5) ... utime(14) stime(15).
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticksToMs = 1000 / 100;
  return {
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    cpuMs: (Number(fields[11]) + Number(fields[12])) * ticksToMs,
  };
}

/** Memory lines of /proc/<pid>/status in kB (VmRSS, VmHWM, RssAnon, RssFile, ...). */
export function procMemoryKb(pid: number): Record<string, number> | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const out: Record<string, number> = {};
  for (const match of text.matchAll(/^(Vm\w+|Rss\w+):\s+(\d+) kB$/gm)) out[match[1]!] = Number(match[2]);
  return out;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
