import type { LlmConversation } from './conversation.ts';
import type { LlmFailureCode, LlmTurn } from './types.ts';

/**
 * A turn as one event stream, for call loops that prefer a single iterable: text deltas as they
 * arrive, then at most one final event. An aborted turn just ends. Never throws.
 */
export type LlmEvent =
  | { type: 'text'; delta: string }
  | { type: 'end_call'; reason: string }
  /** `destination` is the whitelisted name, `target` what the dialplan dials (VOICEBOT_TRANSFER_TO). */
  | { type: 'transfer'; destination: string; target: string }
  | { type: 'error'; code: LlmFailureCode; message: string; retryable: boolean };

export async function* turnEvents(turn: LlmTurn): AsyncGenerator<LlmEvent> {
  for await (const delta of turn.deltas) yield { type: 'text', delta };
  const outcome = await turn.outcome;
  if (outcome.type === 'end_call') yield { type: 'end_call', reason: outcome.reason };
  else if (outcome.type === 'transfer') yield { type: 'transfer', destination: outcome.destination, target: outcome.target };
  else if (outcome.type === 'error') yield { type: 'error', code: outcome.code, message: outcome.message, retryable: outcome.retryable };
}

/** The call session's conversation partner backed by Ollama (shape of the call loop's `Brain`). */
export class OllamaBrain {
  readonly label: string;
  readonly #conversation: LlmConversation;

  constructor(conversation: LlmConversation, label: string) {
    this.#conversation = conversation;
    this.label = label;
  }

  reply(callerText: string, options: { signal: AbortSignal }): AsyncIterable<LlmEvent> {
    return turnEvents(this.#conversation.respond(callerText, options));
  }

  /** What the caller actually heard of the last reply; '' forgets it. */
  settleLastReply(heardText: string): void {
    this.#conversation.setHeard(heardText);
  }
}
