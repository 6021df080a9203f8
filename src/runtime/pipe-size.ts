import { loadKoffi } from './native.ts';

/** Linux fcntl commands (fcntl.h): the capacity of the pipe behind an fd. */
const F_SETPIPE_SZ = 1031;
const F_GETPIPE_SZ = 1032;

type Fcntl = (fd: number, cmd: number, ...variadic: unknown[]) => number;
let fcntl: Fcntl | undefined;

function bindFcntl(): Fcntl {
  if (fcntl !== undefined) return fcntl;
  // koffi is loaded for libvosk in every call; this adds one symbol lookup in the process's libc.
  const koffi = loadKoffi();
  const libc = koffi.load('libc.so.6');
  fcntl = libc.func('int fcntl(int fd, int cmd, ...)') as unknown as Fcntl;
  return fcntl;
}

export type PipeGrowth =
  | { kind: 'grown'; bytes: number; fromBytes: number }
  | { kind: 'unchanged'; bytes: number }
  | { kind: 'failed'; reason: string };

/**
 * Grows the kernel buffer of the pipe behind `fd` to at least `bytes` (either end may do it: the
 * capacity belongs to the pipe). Asterisk writes caller audio to the EAGI pipe without blocking and
 * drops what does not fit, so a bigger pipe turns seconds of CPU starvation into a backlog instead
 * of lost speech. The kernel rounds up to a power-of-two number of pages and refuses sizes above
 * /proc/sys/fs/pipe-max-size (1 MiB by default) or past the user's pipe-user-pages-soft total.
 */
export function growPipe(fd: number, bytes: number): PipeGrowth {
  let call: Fcntl;
  try {
    call = bindFcntl();
  } catch (error) {
    return { kind: 'failed', reason: (error as Error).message };
  }
  const before = call(fd, F_GETPIPE_SZ);
  if (before < 0) return { kind: 'failed', reason: `fd ${fd} is not a pipe` };
  if (before >= bytes) return { kind: 'unchanged', bytes: before };
  const after = call(fd, F_SETPIPE_SZ, 'int', bytes);
  if (after < 0) return { kind: 'failed', reason: `the kernel refused ${bytes} bytes (pipe-max-size or the user's pipe-user-pages-soft)` };
  return { kind: 'grown', bytes: after, fromBytes: before };
}
