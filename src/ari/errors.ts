import { VoicebotError } from '../errors.ts';

/**
 * An ARI REST call that failed. Stable codes: `ARI_AUTH` (401), `ARI_NOT_FOUND` (404),
 * `ARI_CONFLICT` (409/422: the channel is not in Stasis), `ARI_BAD_REQUEST` (400 and other 4xx),
 * `ARI_SERVER` (5xx), `ARI_TIMEOUT`, `ARI_UNREACHABLE`, `ARI_BAD_REPLY`. Messages name the method
 * and path (never the query, which may carry variable values) and Asterisk's own message.
 */
export class AriError extends VoicebotError {
  /** HTTP status; 0 when no HTTP answer came. */
  readonly status: number;
  /** The `message` of Asterisk's JSON body ('' when there was none). */
  readonly asteriskMessage: string;

  constructor(code: string, message: string, details: { status: number; asteriskMessage: string; cause?: unknown }) {
    super(code, message, { cause: details.cause });
    this.name = 'AriError';
    this.status = details.status;
    this.asteriskMessage = details.asteriskMessage;
  }
}

/** The code for an HTTP status Asterisk answered with. */
export function ariErrorCode(status: number): string {
  if (status === 401 || status === 403) return 'ARI_AUTH';
  if (status === 404) return 'ARI_NOT_FOUND';
  if (status === 409 || status === 422) return 'ARI_CONFLICT';
  if (status >= 500) return 'ARI_SERVER';
  return 'ARI_BAD_REQUEST';
}

/** An AriError for a non-2xx reply; `body` is Asterisk's JSON `{"message": ...}` (or HTML for some paths). */
export function ariErrorFromResponse(status: number, statusText: string, body: string, request: { method: string; path: string }): AriError {
  const asteriskMessage = messageOf(body);
  const code = ariErrorCode(status);
  const hint = code === 'ARI_AUTH' ? ' (check ari_username and the password against ari.conf)' : '';
  const detail = asteriskMessage === '' ? '' : `: ${asteriskMessage}`;
  return new AriError(code, `${request.method} ${request.path}: ${status} ${statusText}${detail}${hint}`, { status, asteriskMessage });
}

/** An AriError for a request that got no HTTP answer (deadline, refused connection, reset). */
export function ariTransportError(error: unknown, request: { method: string; path: string; timeoutMs: number; timedOut: boolean; host: string }): AriError {
  if (request.timedOut) {
    return new AriError('ARI_TIMEOUT', `${request.method} ${request.path}: no reply from Asterisk at ${request.host} within ${request.timeoutMs} ms`, { status: 0, asteriskMessage: '', cause: error });
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new AriError('ARI_ABORTED', `${request.method} ${request.path}: aborted`, { status: 0, asteriskMessage: '', cause: error });
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
  return new AriError('ARI_UNREACHABLE', `${request.method} ${request.path}: cannot reach Asterisk at ${request.host} (${cause})`, { status: 0, asteriskMessage: '', cause: error });
}

function messageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed?.message === 'string' ? parsed.message : '';
  } catch {
    return '';
  }
}
