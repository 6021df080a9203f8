import { statSync, type Stats } from 'node:fs';

export type PathKind = 'file' | 'folder';

export interface PathRule {
  kind: PathKind;
  /** Largest sane size of a file (bytes); a bigger one is refused (`/dev/zero`-like content, a wrong file). */
  maxBytes?: number;
  /** A file that must hold something (a model file of 0 bytes is damaged). */
  nonEmpty?: boolean;
  /** Absent is fine (voicebot creates it: a log file, the database). */
  mayBeMissing?: boolean;
}

export const KB = 1024;
export const MB = 1024 * KB;
export const GB = 1024 * MB;

/**
 * What is wrong with `path` for `rule`, or undefined when it is fine. Only stat() is used, never
 * open(): opening a FIFO blocks until a writer comes, and reading a device never ends.
 */
export function pathProblem(path: string, rule: PathRule): string | undefined {
  let stat: Stats | undefined;
  try {
    stat = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    return `${path} cannot be examined (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  if (stat === undefined) return rule.mayBeMissing === true ? undefined : `${path} does not exist`;
  if (rule.kind === 'folder') return stat.isDirectory() ? undefined : `${path} is ${describe(stat)}, not a folder`;
  if (!stat.isFile()) return `${path} is ${describe(stat)}, not a regular file`;
  if (rule.nonEmpty === true && stat.size === 0) return `${path} is empty (0 bytes)`;
  if (rule.maxBytes !== undefined && stat.size > rule.maxBytes) return `${path} is ${sizeText(stat.size)}, more than the ${sizeText(rule.maxBytes)} it can sanely be`;
  return undefined;
}

/** Like `pathProblem`, but throws `makeError(problem)` when there is one. */
export function assertPath(path: string, rule: PathRule, makeError: (problem: string) => Error): void {
  const problem = pathProblem(path, rule);
  if (problem !== undefined) throw makeError(problem);
}

function describe(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'a regular file';
}

function sizeText(bytes: number): string {
  if (bytes >= GB) return `${(bytes / GB).toFixed(1)} GB`;
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  if (bytes >= KB) return `${Math.round(bytes / KB)} KB`;
  return `${bytes} bytes`;
}
