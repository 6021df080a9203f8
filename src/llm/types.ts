import { VoicebotError } from '../errors.ts';

/**
 * Stable failure codes of one LLM turn. The call session maps every one of them to a spoken
 * apology plus VOICEBOT_STATUS; none of them is thrown out of `respond()`.
 */
export type LlmFailureCode =
  | 'LLM_UNREACHABLE' // connection refused / DNS / reset before any reply
  | 'LLM_TIMEOUT' // first-token, token-gap or total timeout
  | 'LLM_MODEL_MISSING' // 404: `ollama pull <model>`
  | 'LLM_SERVER_ERROR' // HTTP 4xx/5xx other than 404, or an error line in the stream
  | 'LLM_BAD_RESPONSE'; // malformed JSON, stream cut short, empty reply

/** A typed LLM failure; `code` is stable, `retryable` says whether the next turn may succeed. */
export class LlmError extends VoicebotError {
  override readonly code: LlmFailureCode;
  readonly retryable: boolean;

  constructor(code: LlmFailureCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(code, message, { cause: options.cause });
    this.name = 'LlmError';
    this.code = code;
    this.retryable = options.retryable ?? code !== 'LLM_MODEL_MISSING';
  }
}

/** One message of the conversation as sent to Ollama (tool messages only within one turn). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** assistant: the tool calls it made (native tool mode). */
  tool_calls?: { function: { name: string; arguments: Record<string, unknown> } }[];
  /** tool: which tool answered. */
  tool_name?: string;
}

/** Timings and counts of one turn, for the call log. */
export interface LlmTurnStats {
  /** Request start → first content token; undefined when none arrived. */
  firstTokenMs: number | undefined;
  /** Request start → outcome. */
  totalMs: number;
  /** Ollama's eval_count / prompt_eval_count from the final chunk, when it arrived. */
  evalCount: number | undefined;
  promptEvalCount: number | undefined;
  /** Which tool protocol the turn used. */
  toolMode: 'native' | 'text';
}

/**
 * What one turn ended with. `text` is the speakable reply (after the post-filter), identical to the
 * concatenated deltas. Never rejected, never thrown.
 */
export type LlmOutcome =
  | { type: 'text'; text: string; truncated: boolean; stats: LlmTurnStats }
  | (ToolAction & { text: string; stats: LlmTurnStats })
  /** The caller's signal fired (barge-in or hangup); `text` is what was produced until then. */
  | { type: 'aborted'; text: string; stats: LlmTurnStats }
  | { type: 'error'; code: LlmFailureCode; message: string; retryable: boolean; text: string; stats: LlmTurnStats };

/** One streamed turn: deltas as they arrive, and the outcome once the reply is complete. */
export interface LlmTurn {
  /** Speakable text deltas; ends (never throws) when the turn ends for any reason. */
  readonly deltas: AsyncIterable<string>;
  /** Resolves once, never rejects, within the configured timeouts. */
  readonly outcome: Promise<LlmOutcome>;
}

/**
 * A tool call the model asked for, after whitelist validation: the one declaration of the actions
 * a reply can carry. `destination` is the whitelisted name, `target` what the dialplan dials.
 */
export type ToolAction =
  | { type: 'end_call'; reason: string }
  | { type: 'transfer'; destination: string; target: string };
