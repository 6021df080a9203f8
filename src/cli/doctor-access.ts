import { execFileSync } from 'node:child_process';
import { statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A local account, as `id` reports it. */
export interface Account {
  name: string;
  uid: number;
  gid: number;
  groups: readonly number[];
}

/** The account `name` (through NSS, as `id` sees it), or undefined when it does not exist. */
export function lookupAccount(name: string): Account | undefined {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(name)) return undefined;
  try {
    const id = (flag: string) => execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    return { name, uid: Number(id('-u')), gid: Number(id('-g')), groups: id('-G').split(/\s+/).map(Number) };
  } catch {
    return undefined;
  }
}

/** The account this process runs as. */
export function currentAccount(): Account {
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  const groups = process.getgroups?.() ?? [gid];
  let name = String(uid);
  try {
    name = execFileSync('id', ['-un'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch { /* keep the number */ }
  return { name, uid, gid, groups };
}

export type Want = 'r' | 'w' | 'x' | 'rx' | 'rw' | 'rwx' | 'wx';

/** Whether `account` may access `path` as `want` says, judged from owner/group/mode bits. */
export type AccessVerdict = { ok: true } | { ok: false; problem: string; fixPath: string; kind: 'enter' | 'use' | 'create' };

/** The usual fix for a failed verdict; `use` is what to do when the path itself is the problem. */
export function accessFix(verdict: Exclude<AccessVerdict, { ok: true }>, account: Account, use: string): string {
  if (verdict.kind === 'enter') return `let ${account.name} pass through ${verdict.fixPath}: chmod o+x ${verdict.fixPath} (or chgrp ${account.name} and chmod g+x)`;
  if (verdict.kind === 'create') return `let ${account.name} create files in ${verdict.fixPath}: chown ${account.name}: ${verdict.fixPath} && chmod 0750 ${verdict.fixPath}`;
  return use;
}

const BITS = { r: 4, w: 2, x: 1 } as const;

/**
 * Access from the permission bits of the path and every folder above it (search permission), the
 * way the kernel decides without ACLs. Root may do anything. A path that does not exist is judged
 * by what creating it needs: write and search permission on the nearest existing folder.
 */
export function accessAs(account: Account, path: string, want: Want, stat: (p: string) => Stats = statSync): AccessVerdict {
  if (account.uid === 0) return { ok: true };
  const full = resolve(path);
  const chain: string[] = [];
  for (let dir = dirname(full); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dir === dirname(dir)) break;
  }
  for (const dir of chain) {
    let info: Stats;
    try {
      info = stat(dir);
    } catch {
      return creatable(account, dir, stat);
    }
    if (!allowed(account, info, 'x')) return { ok: false, problem: `${account.name} cannot enter ${dir} (${describe(info)})`, fixPath: dir, kind: 'enter' };
  }
  let info: Stats;
  try {
    info = stat(full);
  } catch {
    return creatable(account, full, stat);
  }
  for (const bit of want) {
    if (!allowed(account, info, bit as 'r' | 'w' | 'x')) {
      return { ok: false, problem: `${account.name} cannot ${verb(bit)} ${full} (${describe(info)})`, fixPath: full, kind: 'use' };
    }
  }
  return { ok: true };
}

function creatable(account: Account, missing: string, stat: (p: string) => Stats): AccessVerdict {
  let parent = dirname(missing);
  while (true) {
    try {
      const info = stat(parent);
      if (allowed(account, info, 'w') && allowed(account, info, 'x')) return { ok: true };
      return { ok: false, problem: `${account.name} cannot create ${missing} in ${parent} (${describe(info)})`, fixPath: parent, kind: 'create' };
    } catch {
      if (parent === dirname(parent)) return { ok: false, problem: `${missing} has no existing parent folder`, fixPath: missing, kind: 'create' };
      parent = dirname(parent);
    }
  }
}

function allowed(account: Account, info: Stats, bit: 'r' | 'w' | 'x'): boolean {
  const mode = info.mode;
  const shift = info.uid === account.uid ? 6 : account.groups.includes(info.gid) || info.gid === account.gid ? 3 : 0;
  return ((mode >> shift) & BITS[bit]) !== 0;
}

function verb(bit: string): string {
  return bit === 'r' ? 'read' : bit === 'w' ? 'write' : 'execute/enter';
}

function describe(info: Stats): string {
  return `mode ${(info.mode & 0o7777).toString(8).padStart(4, '0')}, owner uid ${info.uid}, group gid ${info.gid}`;
}
