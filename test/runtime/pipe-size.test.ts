import assert from 'node:assert/strict';
import { closeSync, writeSync } from 'node:fs';
import { test } from 'node:test';
import { growPipe } from '../../src/runtime/pipe-size.ts';
import { makePipe } from '../../src/simulate/asterisk/pipes.ts';

/** How many bytes a non-blocking writer gets into the pipe before EAGAIN (what Asterisk's fd 3 writes meet). */
function fillUntilFull(fd: number): number {
  const chunk = Buffer.alloc(320);
  let total = 0;
  for (;;) {
    try {
      total += writeSync(fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return total;
      throw error;
    }
  }
}

test('growPipe: the reader grows a real pipe and the non-blocking writer fits that much before EAGAIN', async () => {
  const small = await makePipe('to-child');
  const big = await makePipe('to-child');
  try {
    const grown = growPipe(big.childFd, 256 * 1024);
    assert.equal(grown.kind, 'grown');
    assert.ok(grown.kind === 'grown' && grown.bytes >= 256 * 1024 && grown.fromBytes < grown.bytes);
    const defaultFits = fillUntilFull(small.parentFd);
    const grownFits = fillUntilFull(big.parentFd);
    // The kernel keeps whole 320-byte writes per 4 KiB page (12 per page): 16 pages hold 61440 bytes.
    assert.ok(defaultFits <= 65_536, `a default pipe holds at most 64 KiB (${defaultFits})`);
    assert.ok(grownFits >= 4 * defaultFits, `the grown pipe holds 4x as many frames (${grownFits} vs ${defaultFits})`);
    assert.deepEqual(growPipe(big.childFd, 128 * 1024), { kind: 'unchanged', bytes: grown.kind === 'grown' ? grown.bytes : 0 });
  } finally {
    for (const fd of [small.childFd, small.parentFd, big.childFd, big.parentFd]) closeSync(fd);
  }
});

test('growPipe: a socket or a file is not a pipe, and a refused size is reported, not thrown', async () => {
  const pipe = await makePipe('to-child');
  try {
    assert.equal(growPipe(2 ** 20, 1024).kind, 'failed');
    const tooBig = growPipe(pipe.childFd, 2 ** 30);
    // root may pass pipe-max-size; everyone else is refused
    if (process.getuid?.() !== 0) assert.equal(tooBig.kind, 'failed');
    else assert.ok(tooBig.kind === 'failed' || tooBig.kind === 'grown');
  } finally {
    closeSync(pipe.childFd);
    closeSync(pipe.parentFd);
  }
});
