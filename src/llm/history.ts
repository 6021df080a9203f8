import type { ChatMessage } from './types.ts';

/** Rough token estimate (about 4 characters per token for English), cheap and model-independent. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 1;
}

/**
 * The conversation so far. All messages are kept (the call log wants them); `window()` picks the
 * recent ones that fit the turn and token budget, so long calls keep a constant request size.
 */
export class ChatHistory {
  readonly #messages: ChatMessage[] = [];
  readonly #maxTurns: number;
  readonly #maxTokens: number;

  constructor(budget: { turns: number; tokens: number }) {
    this.#maxTurns = budget.turns;
    this.#maxTokens = budget.tokens;
  }

  add(role: 'user' | 'assistant', content: string): void {
    this.#messages.push({ role, content });
  }

  /**
   * Replace the bot message that ends the history (e.g. with what the caller heard before barging
   * in); an empty text removes it. Does nothing when the last turn produced no bot message.
   */
  replaceLastAssistant(content: string): void {
    const last = this.#messages.length - 1;
    if (this.#messages[last]?.role !== 'assistant') return;
    if (content === '') this.#messages.pop();
    else this.#messages[last] = { role: 'assistant', content };
  }

  get all(): readonly ChatMessage[] {
    return this.#messages;
  }

  /** The newest whole exchanges within both budgets, oldest first, starting with a caller message. */
  window(): ChatMessage[] {
    const picked: ChatMessage[] = [];
    let tokens = 0;
    let turns = 0;
    for (let i = this.#messages.length - 1; i >= 0; i--) {
      const message = this.#messages[i];
      if (message === undefined) continue;
      const cost = estimateTokens(message.content);
      if (tokens + cost > this.#maxTokens) break;
      if (message.role === 'user') {
        if (turns + 1 > this.#maxTurns) break;
        turns += 1;
      }
      tokens += cost;
      picked.push(message);
    }
    picked.reverse();
    while (picked.length > 0 && picked[0]?.role !== 'user') picked.shift();
    return picked;
  }
}
