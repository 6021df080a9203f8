import { LlmError } from './types.ts';

/** Ollama's reply when a model cannot take `tools` (HTTP 400). */
export class ToolsUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolsUnsupportedError';
  }
}

type Fetch = typeof fetch;

/**
 * The `fetch` handed to the ollama client. It exists because the client (0.6.x):
 * - creates its own AbortController and ignores ours: every request here also follows `signal`;
 * - prints to stdout on non-JSON error bodies (stdout belongs to Asterisk): HTTP errors become
 *   typed errors here, before the client sees them;
 * - silently skips malformed NDJSON lines: a bad line fails the stream with LLM_BAD_RESPONSE.
 */
export function guardedFetch(signal: AbortSignal, model: string, base: Fetch = fetch): Fetch {
  return async (input, init = {}) => {
    const signals = init.signal === undefined || init.signal === null ? [signal] : [signal, init.signal];
    const response = await base(input, { ...init, signal: AbortSignal.any(signals) });
    if (!response.ok) throw await httpError(response, model, String(input).endsWith('/api/chat'));
    if (response.body === null || !String(input).endsWith('/api/chat')) return response;
    return new Response(response.body.pipeThrough(ndjsonValidator()), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

async function httpError(response: Response, model: string, isChat: boolean): Promise<Error> {
  let message = `HTTP ${response.status} ${response.statusText}`;
  try {
    const text = (await response.text()).trim();
    if (text !== '') {
      try {
        const parsed: unknown = JSON.parse(text);
        const error = parsed !== null && typeof parsed === 'object' && 'error' in parsed ? parsed.error : undefined;
        message = typeof error === 'string' ? error : text.slice(0, 200);
      } catch {
        message = text.slice(0, 200);
      }
    }
  } catch {
    // Body unreadable: the status line is all we have.
  }
  if (response.status === 404 && isChat) {
    return new LlmError('LLM_MODEL_MISSING', `Ollama has no model '${model}' (${message}). Fix: run \`ollama pull ${model}\` on the Ollama host, or set ollama_model to one that \`ollama list\` shows`);
  }
  if (response.status === 400 && /does not support tools/i.test(message)) return new ToolsUnsupportedError(message);
  return new LlmError('LLM_SERVER_ERROR', `Ollama answered HTTP ${response.status}: ${message}`, { retryable: response.status >= 500 });
}

/** Passes complete NDJSON lines through and errors the stream on the first line that is not JSON. */
function ndjsonValidator(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = '';
  const check = (line: string, controller: TransformStreamDefaultController<Uint8Array>): boolean => {
    if (line.trim() === '') return true;
    try {
      JSON.parse(line);
    } catch {
      controller.error(new LlmError('LLM_BAD_RESPONSE', `Ollama sent a line that is not JSON: ${JSON.stringify(line.slice(0, 80))}`));
      return false;
    }
    controller.enqueue(encoder.encode(`${line}\n`));
    return true;
  };
  return new TransformStream({
    transform(chunk, controller) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!check(line, controller)) return;
        newline = buffer.indexOf('\n');
      }
    },
    flush(controller) {
      buffer += decoder.decode();
      check(buffer, controller);
    },
  });
}
