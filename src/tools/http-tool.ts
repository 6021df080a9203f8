import { VoicebotError } from '../errors.ts';
import type { HostAllowlist } from './allowlist.ts';
import { validateArguments, type ArgumentValue } from './arguments.ts';
import type { HttpToolSpec, ToolResult, ToolResultCode } from './types.ts';

const PLACEHOLDER = /\{([^{}]*)\}/g;
/** Scheme and authority of an absolute http(s) URL; WHATWG URL ends the authority at / \ ? #. */
const HEAD = /^(https?):\/\/([^/\\?#]*)/i;
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
const CUT_MARK = ' …(cut)';
const ERROR_BODY_CHARS = 200;
const TELL_CALLER = 'tell the caller it could not be done right now';

export interface RunHttpToolOptions {
  allowlist: HostAllowlist;
  /** The turn's scope: aborted when the caller hangs up or barges in. */
  signal?: AbortSignal | undefined;
  fetchImpl?: typeof fetch | undefined;
}

/** The placeholder names of a URL template, in order of appearance. */
export function placeholderNames(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
}

/**
 * Undefined when `template` is an absolute http(s) URL whose `{name}` placeholders stand only after
 * the authority and each name one of `paramNames`; otherwise the problem, naming the fix.
 */
export function checkUrlTemplate(template: string, paramNames: readonly string[]): string | undefined {
  const head = HEAD.exec(template);
  if (head === null) return 'the URL must be an absolute http:// or https:// URL, like https://crm.example.com/orders/{order_id}';
  if (/[{}]/.test(head[2] ?? '')) return 'placeholders may stand only in the path or the query, not in the host, port or user';
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) return 'the URL has an unmatched { or }';
  for (const name of placeholderNames(template)) {
    if (!paramNames.includes(name)) return `the URL names {${name}}, which is not a parameter of the tool`;
  }
  try {
    if (new URL(template.replace(PLACEHOLDER, 'x')).hostname === '') return 'the URL has no host';
  } catch {
    return 'the URL is not valid';
  }
  return undefined;
}

function pathSegments(url: string): string[] {
  const rest = url.replace(HEAD, '');
  return (rest.split(/[?#]/, 1)[0] ?? '').split(/[/\\]/);
}

/**
 * The request URL: each `{name}` replaced by its percent-encoded value (absent optional values by
 * nothing); for GET and DELETE the other values become query parameters. Throws a
 * `VoicebotError('TOOL_BAD_ARGUMENTS')` when a value would make a `.` or `..` path segment, which
 * the URL parser would resolve into another path.
 */
export function buildToolUrl(spec: HttpToolSpec, values: Readonly<Record<string, ArgumentValue>>): URL {
  const used = new Set(placeholderNames(spec.urlTemplate));
  const text = spec.urlTemplate.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    return value === undefined ? '' : encodeURIComponent(String(value));
  });
  const before = pathSegments(spec.urlTemplate);
  pathSegments(text).forEach((segment, i) => {
    if (DOT_SEGMENT.test(segment) && segment !== before[i]) {
      throw new VoicebotError('TOOL_BAD_ARGUMENTS', `an argument cannot be '${segment}'`);
    }
  });
  const url = new URL(text);
  if (spec.method === 'GET' || spec.method === 'DELETE') {
    const pairs = Object.entries(values)
      .filter(([name]) => !used.has(name))
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
    if (pairs.length > 0) url.search = url.search === '' ? pairs.join('&') : `${url.search}&${pairs.join('&')}`;
  }
  return url;
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}

/** Reads at most `limitBytes` (and says whether more followed); the rest of the stream is cancelled. */
async function readCapped(response: Response, limitBytes: number, signal: AbortSignal): Promise<{ bytes: Buffer; more: boolean }> {
  const reader = response.body?.getReader();
  if (reader === undefined) return { bytes: Buffer.alloc(0), more: false };
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await untilAborted(reader.read(), signal);
      if (done) return { bytes: Buffer.concat(chunks, total), more: false };
      chunks.push(value);
      total += value.byteLength;
      if (total > limitBytes) return { bytes: Buffer.concat(chunks, total).subarray(0, limitBytes), more: true };
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** The secret header values, and their long words (a token after `Bearer`), longest first. */
function secretsOf(spec: HttpToolSpec): string[] {
  const parts = spec.headers.filter((h) => h.secret).flatMap((h) => {
    const value = h.value.trim();
    return [value, ...value.split(/\s+/).filter((word) => word.length >= 8)];
  });
  return [...new Set(parts.filter((p) => p !== ''))].sort((a, b) => b.length - a.length);
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('[secret]'), text);
}

/** The first `maxBytes` of `text` as UTF-8, never ending inside a character. */
function cutUtf8(text: string, maxBytes: number): { text: string; cut: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, cut: false };
  return { text: new TextDecoder().decode(bytes.subarray(0, maxBytes), { stream: true }), cut: true };
}

function compactJson(text: string, contentType: string): string {
  const trimmed = text.trim();
  if (!contentType.includes('json') && !/^[[{]/.test(trimmed)) return text;
  try {
    return JSON.stringify(JSON.parse(trimmed));
  } catch {
    return text;
  }
}

/**
 * Runs one tool call: validates the arguments, builds the URL, checks the allowlist and makes the
 * request (no redirects, at most `timeoutMs` from the start, body capped at `maxResponseBytes`).
 * Never throws; secret header values never appear in the result.
 */
export async function runHttpTool(spec: HttpToolSpec, args: unknown, options: RunHttpToolOptions): Promise<ToolResult> {
  const startedMs = performance.now();
  try {
    return await attempt(spec, args, options, startedMs);
  } catch {
    // Only a spec the config loader should have refused (a bad timeout) or an exotic argument object.
    return { code: 'TOOL_UNREACHABLE', content: `error: the tool failed unexpectedly; ${TELL_CALLER}.`, durationMs: Math.round(performance.now() - startedMs) };
  }
}

async function attempt(spec: HttpToolSpec, args: unknown, options: RunHttpToolOptions, startedMs: number): Promise<ToolResult> {
  const secrets = secretsOf(spec);
  const finish = (code: ToolResultCode, content: string, httpStatus?: number): ToolResult =>
    ({ code, content: redact(content, secrets), ...(httpStatus === undefined ? {} : { httpStatus }), durationMs: Math.round(performance.now() - startedMs) });
  const fail = (code: ToolResultCode, what: string, httpStatus?: number): ToolResult =>
    finish(code, `error: ${what}; ${TELL_CALLER}.`, httpStatus);

  const checked = validateArguments(spec, args);
  if ('problem' in checked) {
    return finish('TOOL_BAD_ARGUMENTS', `error: ${checked.problem}, so no request was made; correct the arguments or ${TELL_CALLER}.`);
  }
  let url: URL;
  const headers = new Headers();
  let body: string | undefined;
  try {
    url = buildToolUrl(spec, checked.values);
    if (spec.method !== 'GET' && spec.method !== 'DELETE') {
      const used = new Set(placeholderNames(spec.urlTemplate));
      body = JSON.stringify(Object.fromEntries(Object.entries(checked.values).filter(([name]) => !used.has(name))));
      headers.set('content-type', 'application/json');
    }
    for (const header of spec.headers) headers.set(header.name, header.value);
  } catch (error) {
    const what = error instanceof VoicebotError ? error.message : 'the tool is misconfigured';
    return finish('TOOL_BAD_ARGUMENTS', `error: ${what}, so no request was made; ${TELL_CALLER}.`);
  }

  const timeout = AbortSignal.timeout(spec.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  const stopped = (fallback: () => ToolResult): ToolResult => {
    if (options.signal?.aborted === true) return fail('TOOL_ABORTED', 'the call was interrupted before the service answered');
    if (timeout.aborted) return fail('TOOL_TIMEOUT', `the service did not answer within ${spec.timeoutMs / 1000} seconds`);
    return fallback();
  };
  try {
    const refusal = await untilAborted(options.allowlist.check(url), signal);
    if (refusal !== undefined) return fail('TOOL_HOST_REFUSED', `the request was refused because ${refusal}`);
  } catch {
    return stopped(() => fail('TOOL_HOST_REFUSED', 'the host could not be checked, so no request was made'));
  }

  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(url, { method: spec.method, headers, body, redirect: 'manual', signal });
  } catch {
    return stopped(() => fail('TOOL_UNREACHABLE', 'the service could not be reached'));
  }

  const slackBytes = secrets[0]?.length ?? 0;
  let read: { bytes: Buffer; more: boolean };
  try {
    const limitBytes = response.ok ? spec.maxResponseBytes + slackBytes : ERROR_BODY_CHARS * 4 + slackBytes;
    read = await readCapped(response, limitBytes, signal);
  } catch {
    if (!response.ok) read = { bytes: Buffer.alloc(0), more: false };
    else return stopped(() => fail('TOOL_UNREACHABLE', 'the connection broke while the service was answering', response.status));
  }
  const decoded = new TextDecoder().decode(read.bytes, { stream: read.more });

  if (!response.ok) {
    const redirect = response.status >= 300 && response.status < 400 ? ', a redirect that is not followed' : '';
    const snippet = redact(decoded, secrets).replace(/\s+/g, ' ').trim().slice(0, ERROR_BODY_CHARS).replace(/[\s.;:,]+$/, '');
    const detail = snippet === '' ? redirect : `${redirect}: ${snippet}`;
    return fail('TOOL_HTTP_ERROR', `the service answered HTTP ${response.status}${detail}`, response.status);
  }
  const text = read.more ? decoded : compactJson(decoded, response.headers.get('content-type') ?? '');
  if (text.trim() === '') return finish('OK', `done: the service answered HTTP ${response.status} with no content.`, response.status);
  const capped = cutUtf8(redact(text, secrets), spec.maxResponseBytes);
  return finish('OK', capped.cut || read.more ? `${capped.text}${CUT_MARK}` : capped.text, response.status);
}
