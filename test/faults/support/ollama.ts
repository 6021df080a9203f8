import { startFakeOllama, type FakeOllama, type FakeReply } from '../../../src/simulate/fake-ollama.ts';

/** The short reply every fault call gets: two sentences, so a turn plays two files. */
export const SHORT_REPLY: FakeReply = { content: 'Sure. We open at nine on Saturday.', firstTokenDelayMs: 30 };

/**
 * A fake Ollama that runs `onRequest(n, ollama)` when chat request n (1-based) arrives, before it
 * answers: the hook where a test breaks something at an exact point of the call.
 */
export async function hookedOllama(onRequest: (n: number, ollama: FakeOllama) => void | Promise<void>, reply: FakeReply = SHORT_REPLY, tokenDelayMs = 15): Promise<FakeOllama> {
  let count = 0;
  let self: FakeOllama | undefined;
  self = await startFakeOllama({
    tokenDelayMs,
    script: async () => {
      count += 1;
      await onRequest(count, self!);
      return reply;
    },
  });
  return self;
}
