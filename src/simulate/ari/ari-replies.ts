import { httpDate } from './ari-model.ts';

/** One reply as Asterisk's HTTP server writes it. */
export interface AriReply {
  status: number;
  reason: string;
  /** Headers between Cache-Control and Content-type (WWW-Authenticate, Allow). */
  extraHeaders?: readonly [string, string][];
  /** JSON value (serialised compactly), or undefined for an empty body. */
  json?: unknown;
  html?: string;
}

/**
 * Serialises a reply: `Server`, `Date`, `Cache-Control`, extras, `Content-type` (lower-case t; only
 * with a body), `Content-Length` — the order and spelling of Asterisk 22.
 */
export function formatReply(reply: AriReply, nowMs: number): string {
  const lines = [`HTTP/1.1 ${reply.status} ${reply.reason}`, 'Server: Asterisk/22.10.1', `Date: ${httpDate(nowMs)}`, 'Cache-Control: no-cache, no-store'];
  for (const [name, value] of reply.extraHeaders ?? []) lines.push(`${name}: ${value}`);
  let body = '';
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    lines.push('Content-type: application/json');
  } else if (reply.html !== undefined) {
    body = reply.html;
    lines.push('Content-type: text/html');
  }
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

export function jsonReply(json: unknown): AriReply {
  return { status: 200, reason: 'OK', json };
}

export const NO_CONTENT: AriReply = { status: 204, reason: 'No Content' };

export function errorReply(status: number, reason: string, message: string): AriReply {
  return { status, reason, json: { message } };
}

export const UNAUTHORIZED: AriReply = {
  status: 401,
  reason: 'Unauthorized',
  extraHeaders: [['WWW-Authenticate', 'Basic realm="Asterisk REST Interface"']],
  json: { message: 'Authentication required' },
};

export const CHANNEL_NOT_FOUND = errorReply(404, 'Not Found', 'Channel not found');
export const BRIDGE_NOT_FOUND = errorReply(404, 'Not Found', 'Bridge not found');
export const RESOURCE_NOT_FOUND = errorReply(404, 'Not Found', 'Resource not found');
export const NOT_IN_STASIS = errorReply(409, 'Conflict', 'Channel not in Stasis application');
export const INTERNAL_ERROR = errorReply(500, 'Internal Server Error', 'An internal error prevented this request from being handled');

export function badRequest(message: string): AriReply {
  return errorReply(400, 'Bad Request', message);
}

export function methodNotAllowed(allow: string): AriReply {
  return { status: 405, reason: 'Method Not Allowed', extraHeaders: [['Allow', allow]], json: { message: 'Invalid method' } };
}

/** Asterisk's HTML error page (`/media/<id>` refusals, `/ari/events` without app). */
export function htmlReply(status: number, reason: string, text: string): AriReply {
  const html = '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n'
    + `<title>${status} ${reason}</title>\r\n</head><body>\r\n<h1>${reason}</h1>\r\n<p>${text}</p>\r\n`
    + '<hr />\r\n<address>Asterisk/22.10.1</address>\r\n</body></html>\r\n';
  return { status, reason, html };
}

/** Basic auth or `?api_key=user:pass`; true when either matches. */
export function isAuthorized(headers: Record<string, string>, query: URLSearchParams, username: string, password: string): boolean {
  const expected = `${username}:${password}`;
  if (query.get('api_key') === expected) return true;
  const header = headers['authorization'] ?? '';
  if (!header.startsWith('Basic ')) return false;
  return Buffer.from(header.slice(6), 'base64').toString('utf8') === expected;
}
