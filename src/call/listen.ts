import type { CallChannel, Ear, Utterance } from './ports.ts';

export type Heard = { kind: 'utterance'; utterance: Utterance } | { kind: 'digit'; digit: string } | { kind: 'silence' };

/**
 * Listens while the channel keeps DTMF live (a key pressed while no command runs is lost) and fd 3
 * feeds the ear. Whichever ends first stops the other.
 */
export async function listen(channel: CallChannel, ear: Ear, silenceMs: number): Promise<Heard> {
  const done = new AbortController();
  const hangup = () => done.abort();
  channel.hangup.addEventListener('abort', hangup, { once: true });
  const speech = ear.nextUtterance({ timeoutMs: silenceMs, signal: done.signal }).then((utterance): Heard =>
    utterance === undefined ? { kind: 'silence' } : { kind: 'utterance', utterance });
  let digits: Promise<Heard | undefined> | undefined;
  try {
    // An utterance already waiting (spoken over the greeting or the last reply) is taken without
    // starting to wait for a key: its interrupter would follow within a millisecond, and two lines that
    // reach Asterisk in one read leave the second unanswered (docs/design.md).
    const ready = await Promise.race([speech, new Promise<undefined>((resolve) => setImmediate(resolve, undefined))]);
    if (ready !== undefined) return ready;
    digits = (async (): Promise<Heard | undefined> => {
      while (!done.signal.aborted) {
        const digit = await channel.waitForKey({ signal: done.signal });
        if (digit !== undefined) return { kind: 'digit', digit };
      }
      return undefined;
    })();
    return await Promise.race([speech, digits.then((heard) => heard ?? speech)]);
  } finally {
    // Also on errors: the key-waiting loop must not outlive the listen (an apology would queue behind it).
    done.abort();
    await Promise.allSettled([speech, digits]);
    channel.hangup.removeEventListener('abort', hangup);
  }
}
