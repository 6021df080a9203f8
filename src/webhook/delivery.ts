import { errorCode, VoicebotError } from '../errors.ts';
import type { LogFields } from '../log.ts';

/** The longest wait between two attempts at one event, jitter included. */
export const MAX_BACKOFF_MS = 30_000;

/** What one POST came to. `stopped`: the sink closed while it was in flight (nothing to count). */
export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status?: number; error?: string; detail?: string }
  | { kind: 'refused'; status: number }
  | { kind: 'stopped' };

export interface AttemptRequest {
  url: string;
  headers: Headers;
  body: string;
  timeoutMs: number;
  fetchImpl: typeof fetch;
}

/**
 * The problem with a webhook URL as a sentence naming the fix, or undefined when it is usable:
 * absolute http(s), no user:password (fetch refuses those; send credentials in a header).
 * The text never repeats the URL, which may carry a token.
 */
export function checkWebhookUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the webhook URL is not an absolute URL; write it as https://host/path';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `the webhook URL must start with http:// or https:// (it starts with ${JSON.stringify(parsed.protocol)})`;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'the webhook URL must not contain user:password@; send credentials in a webhook header instead';
  }
  return undefined;
}

/**
 * Wait before attempt `failedAttempts + 1`: `baseMs` doubled per failed attempt, capped at
 * MAX_BACKOFF_MS, then a random point in its upper half (so many sinks do not retry in step).
 */
export function backoffMs(baseMs: number, failedAttempts: number, random: () => number = Math.random): number {
  const ceilingMs = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(ceilingMs / 2 + (random() * ceilingMs) / 2);
}

/** 2xx delivered; 408, 429 and 5xx worth another try; anything else (3xx, other 4xx) refused for good. */
export function classifyStatus(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', status };
  return { kind: 'refused', status };
}

const TIMED_OUT = Symbol('timed out');

/**
 * One POST of one event. Never rejects. Redirects are not followed, the answer's body is
 * cancelled unread, and `stop` aborts the request at once. The timeout timer is unref'd; the
 * socket of a request in flight still holds the process, for at most `timeoutMs`.
 */
export async function postOnce(request: AttemptRequest, stop: AbortSignal): Promise<AttemptOutcome> {
  if (stop.aborted) return { kind: 'stopped' };
  const attempt = new AbortController();
  const timer = setTimeout(() => attempt.abort(TIMED_OUT), request.timeoutMs);
  timer.unref();
  const onStop = () => attempt.abort();
  stop.addEventListener('abort', onStop, { once: true });
  try {
    const response = await request.fetchImpl(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: attempt.signal,
    });
    response.body?.cancel().catch(() => {});
    return classifyStatus(response.status);
  } catch (error) {
    if (stop.aborted) return { kind: 'stopped' };
    if (attempt.signal.reason === TIMED_OUT) return { kind: 'retry', error: 'TIMEOUT', detail: `no answer within ${request.timeoutMs} ms` };
    return { kind: 'retry', ...networkError(error) };
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
}

/** fetch wraps socket errors as `TypeError: fetch failed` with the useful part in `cause`. */
function networkError(error: unknown): { error: string; detail: string } {
  const cause: unknown = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const code = errorCode(cause);
  const name = cause instanceof Error ? cause.name : typeof cause;
  return { error: code === 'UNKNOWN' ? name : code, detail: cause instanceof Error ? cause.message : String(cause) };
}

/** The sink's option numbers as a sentence naming the fix, or undefined when all are usable. */
export function numbersProblem(options: { timeoutMs: number; maxAttempts: number; retryBaseMs: number; maxQueued: number }): string | undefined {
  const minimums = { timeoutMs: 1, maxAttempts: 1, retryBaseMs: 0, maxQueued: 1 } as const;
  for (const [name, min] of Object.entries(minimums)) {
    const value = options[name as keyof typeof minimums];
    if (!Number.isInteger(value) || value < min) return `webhook ${name} must be a whole number >= ${min} (it is ${String(value)})`;
  }
  return undefined;
}

/**
 * The admin's headers plus `content-type: application/json` (which wins). Throws VoicebotError
 * `WEBHOOK_OPTIONS` naming the bad header, never its value.
 */
export function requestHeaders(extra: Record<string, string>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(extra)) {
    try {
      headers.set(name, value);
    } catch {
      throw new VoicebotError('WEBHOOK_OPTIONS', `webhook header ${JSON.stringify(name)} has an invalid name or value; remove line breaks and control characters`);
    }
  }
  headers.set('content-type', 'application/json');
  return headers;
}

/** Every occurrence of every secret replaced, so a header value never reaches a log line. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('[header value]'), text);
}

/** Log fields of a failed attempt. */
export function outcomeFields(outcome: Exclude<AttemptOutcome, { kind: 'delivered' | 'stopped' }>): LogFields {
  return outcome.kind === 'refused' ? { status: outcome.status } : { status: outcome.status, error: outcome.error, detail: outcome.detail };
}
