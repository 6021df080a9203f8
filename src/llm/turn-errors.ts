import { errorMessage } from '../errors.ts';
import { ToolsUnsupportedError } from './guarded-fetch.ts';
import type { LlmSettings } from './settings.ts';
import { LlmError } from './types.ts';

/** Why a turn's request was stopped from our side (undefined: it was not). */
export type StopCause = 'barge-in' | 'first-token' | 'gap' | 'total' | 'max-tokens';

/**
 * What a turn that threw ended as: 'aborted' for the caller's own barge-in, else the typed
 * failure, by our stop cause first, then by what the client threw and whether Ollama had answered.
 */
export function turnError(cause: StopCause | undefined, error: unknown, responded: boolean, settings: LlmSettings): LlmError | 'aborted' {
  switch (cause) {
    case 'barge-in': return 'aborted';
    case 'first-token': return new LlmError('LLM_TIMEOUT', `no token from ${settings.model} within ${settings.firstTokenTimeoutMs} ms`);
    case 'gap': return new LlmError('LLM_TIMEOUT', `the reply stalled for ${settings.firstTokenTimeoutMs} ms mid-stream`);
    case 'total': return new LlmError('LLM_TIMEOUT', `no complete reply within ${settings.totalTimeoutMs} ms`);
    default: break;
  }
  if (error instanceof LlmError) return error;
  if (error instanceof ToolsUnsupportedError) {
    return new LlmError('LLM_SERVER_ERROR', `${error.message}. Fix: set llm_tool_mode = text (or auto) for this model`, { retryable: false });
  }
  if (!responded) {
    const detail = error instanceof Error && error.cause instanceof Error ? `: ${errorMessage(error.cause)}` : '';
    return new LlmError('LLM_UNREACHABLE', `cannot reach Ollama at ${settings.host} (${errorMessage(error)}${detail}). Fix: start Ollama or set ollama_host / OLLAMA_HOST`, { cause: error });
  }
  const message = errorMessage(error);
  if (error instanceof TypeError || /did not receive done/i.test(message)) {
    return new LlmError('LLM_BAD_RESPONSE', `the reply stream ended early (${message})`, { cause: error });
  }
  return new LlmError('LLM_SERVER_ERROR', `Ollama reported an error mid-reply: ${message}`, { cause: error });
}
