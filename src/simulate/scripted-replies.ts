import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import type { FakeScript } from './fake-ollama.ts';

/**
 * A fake Ollama script that answers the n-th chat turn with `replies[n]`, and every later turn with
 * the last one. Warm-up requests (no messages) never reach a script, so they do not count.
 */
export function repliesScript(replies: readonly string[]): FakeScript {
  if (replies.length === 0) throw new UsageError('give at least one reply, e.g. --reply "We open at nine."');
  let turn = 0;
  return () => ({ content: replies[Math.min(turn++, replies.length - 1)] ?? '' });
}

/** Replies from a text file, one per line; blank lines and lines starting with # are skipped. */
export function readRepliesFile(path: string): string[] {
  if (!existsSync(path)) throw new UsageError(`--replies ${path}: no such file (one reply per line)`);
  const replies = readFileSync(path, 'utf8').split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  if (replies.length === 0) throw new UsageError(`--replies ${path}: the file holds no reply (one reply per line; # starts a comment)`);
  return replies;
}
