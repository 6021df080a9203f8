import { Ollama } from 'ollama';
import { errorMessage } from '../errors.ts';
import { guardedFetch } from './guarded-fetch.ts';
import type { LlmSettings } from './settings.ts';
import { LlmError, type LlmFailureCode } from './types.ts';

export type WarmUpResult = { ok: true; elapsedMs: number } | { ok: false; elapsedMs: number; code: LlmFailureCode; message: string };

/**
 * Ask Ollama to load the model (a chat request with no messages) and keep it loaded for
 * keep_alive, so the first caller turn does not pay the load time. Start it at call start, while
 * the greeting plays. Never throws; bounded by `timeoutMs` (default: the total timeout).
 */
export async function warmUpModel(settings: LlmSettings, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<WarmUpResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(options.timeoutMs ?? settings.totalTimeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const client = new Ollama({ host: settings.host, fetch: guardedFetch(signal, settings.model) });
    await client.chat({ model: settings.model, messages: [], stream: false, keep_alive: settings.keepAliveSeconds });
    return { ok: true, elapsedMs: elapsed() };
  } catch (error) {
    if (error instanceof LlmError) return { ok: false, elapsedMs: elapsed(), code: error.code, message: error.message };
    if (timeout.aborted) return { ok: false, elapsedMs: elapsed(), code: 'LLM_TIMEOUT', message: 'the model did not load in time' };
    return { ok: false, elapsedMs: elapsed(), code: 'LLM_UNREACHABLE', message: `cannot reach Ollama at ${settings.host} (${errorMessage(error)})` };
  }
}
