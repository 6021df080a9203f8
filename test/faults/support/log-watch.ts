import { existsSync, readFileSync } from 'node:fs';

/** Resolves once the log file holds a line matching `pattern` (polled every 10 ms); false after `timeoutMs`. */
export async function logLine(logFile: string, pattern: RegExp, timeoutMs = 15_000): Promise<boolean> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (existsSync(logFile) && pattern.test(readFileSync(logFile, 'utf8'))) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}
