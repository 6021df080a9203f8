import { execFileSync } from 'node:child_process';
import { close, constants, mkdtempSync, open, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const openAsync = promisify(open);
const closeAsync = promisify(close);

/** A kernel pipe: the child gets one end as a blocking fd, the parent keeps the other (non-blocking). */
export interface PipePair {
  /** The child's end (blocking, like the pipe(2) ends Asterisk hands to an AGI script). */
  childFd: number;
  /** The parent's end, non-blocking: Asterisk's fd 3 writes drop audio when the pipe is full. */
  parentFd: number;
}

/**
 * Make a real pipe (a FIFO, the same kernel object as pipe(2)) rather than the socketpair Node's
 * `stdio: 'pipe'` creates, so the program under test meets what Asterisk gives it.
 * `direction` says which way the bytes flow: `to-child` (stdin, fd 3) or `from-child` (stdout).
 */
export async function makePipe(direction: 'to-child' | 'from-child'): Promise<PipePair> {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-fifo-'));
  const path = join(dir, 'fifo');
  try {
    execFileSync('mkfifo', ['-m', '600', path]);
    // Opening one end of a FIFO blocks until the other end opens: open both at once (thread pool).
    const [reader, writer] = await Promise.all([openAsync(path, 'r'), openAsync(path, 'w')]);
    if (direction === 'to-child') {
      const parentFd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      await closeAsync(writer);
      return { childFd: reader, parentFd };
    }
    const parentFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    await closeAsync(reader);
    return { childFd: writer, parentFd };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
