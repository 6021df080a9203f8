import type { LlmConversation } from './conversation.ts';
import type { LlmTurn } from './types.ts';

/** The call session's conversation partner backed by Ollama (shape of the call loop's `Brain`). */
export class OllamaBrain {
  readonly label: string;
  readonly #conversation: LlmConversation;

  constructor(conversation: LlmConversation, label: string) {
    this.#conversation = conversation;
    this.label = label;
  }

  reply(callerText: string, options: { signal: AbortSignal }): LlmTurn {
    return this.#conversation.respond(callerText, options);
  }

  /** What the caller actually heard of the last reply; '' forgets it. */
  settleLastReply(heardText: string): void {
    this.#conversation.setHeard(heardText);
  }
}
