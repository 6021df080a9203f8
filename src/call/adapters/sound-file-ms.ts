import { statSync } from 'node:fs';

/** Raw slin formats voicebot writes, with their bytes per ms (16-bit mono). */
const RAW_FORMATS: readonly [string, number][] = [['sln16', 32], ['sln', 16]];

/**
 * How long Asterisk plays `file` (a path without extension, as STREAM FILE takes it), from the
 * size of the raw sound file beside it; undefined when there is none (another format, missing).
 */
export function soundFileMs(file: string): number | undefined {
  for (const [extension, bytesPerMs] of RAW_FORMATS) {
    const stat = statSync(`${file}.${extension}`, { throwIfNoEntry: false });
    if (stat?.isFile() === true) return Math.ceil(stat.size / bytesPerMs);
  }
  return undefined;
}
