import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** A FIFO at `dir/name` (opening it blocks until a writer comes; a read never ends while one stays). */
export function makeFifo(dir: string, name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
}

/** Character devices every Linux box has: endless zeros, a disk that is always full. */
export const DEV_ZERO = '/dev/zero';
export const DEV_FULL = '/dev/full';
