import { type AriReply, methodNotAllowed, RESOURCE_NOT_FOUND } from './ari-replies.ts';
import { asteriskInfo, changeBridge, createBridge, deleteBridge, getApplication, getBridge, listApplications, listBridges } from './rest-bridges.ts';
import {
  answer, type AriContext, continueInDialplan, deleteChannel, externalMedia, getChannel, getVariable, listChannels, type Params, setVariable,
} from './rest-channels.ts';

type Handler = (ctx: AriContext, ids: string[], params: Params) => AriReply;

interface Route {
  /** Path segments after /ari/; `*` matches one id. */
  pattern: string[];
  allow: string;
  methods: Partial<Record<string, Handler>>;
}

const ROUTES: readonly Route[] = [
  { pattern: ['channels'], allow: 'OPTIONS,GET,POST', methods: { GET: (ctx) => listChannels(ctx) } },
  { pattern: ['channels', 'externalMedia'], allow: 'OPTIONS,POST', methods: { POST: (ctx, _ids, p) => externalMedia(ctx, p) } },
  { pattern: ['channels', '*'], allow: 'OPTIONS,GET,POST,DELETE', methods: { GET: (ctx, [id]) => getChannel(ctx, id ?? ''), DELETE: (ctx, [id], p) => deleteChannel(ctx, id ?? '', p) } },
  { pattern: ['channels', '*', 'answer'], allow: 'OPTIONS,POST', methods: { POST: (ctx, [id]) => answer(ctx, id ?? '') } },
  { pattern: ['channels', '*', 'continue'], allow: 'OPTIONS,POST', methods: { POST: (ctx, [id], p) => continueInDialplan(ctx, id ?? '', p) } },
  {
    pattern: ['channels', '*', 'variable'], allow: 'OPTIONS,GET,POST',
    methods: { GET: (ctx, [id], p) => getVariable(ctx, id ?? '', p), POST: (ctx, [id], p) => setVariable(ctx, id ?? '', p) },
  },
  { pattern: ['bridges'], allow: 'OPTIONS,GET,POST', methods: { GET: (ctx) => listBridges(ctx), POST: (ctx, _ids, p) => createBridge(ctx, p) } },
  { pattern: ['bridges', '*'], allow: 'OPTIONS,GET,POST,DELETE', methods: { GET: (ctx, [id]) => getBridge(ctx, id ?? ''), DELETE: (ctx, [id]) => deleteBridge(ctx, id ?? '') } },
  { pattern: ['bridges', '*', 'addChannel'], allow: 'OPTIONS,POST', methods: { POST: (ctx, [id], p) => changeBridge(ctx, id ?? '', p, 'add') } },
  { pattern: ['bridges', '*', 'removeChannel'], allow: 'OPTIONS,POST', methods: { POST: (ctx, [id], p) => changeBridge(ctx, id ?? '', p, 'remove') } },
  { pattern: ['applications'], allow: 'OPTIONS,GET', methods: { GET: (ctx) => listApplications(ctx) } },
  { pattern: ['applications', '*'], allow: 'OPTIONS,GET', methods: { GET: (ctx, [name]) => getApplication(ctx, name ?? '') } },
  { pattern: ['asterisk', 'info'], allow: 'OPTIONS,GET', methods: { GET: (ctx) => asteriskInfo(ctx) } },
];

function match(pattern: readonly string[], segments: readonly string[]): string[] | undefined {
  if (pattern.length !== segments.length) return undefined;
  const ids: string[] = [];
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i] as string;
    if (part === '*') ids.push(segment);
    else if (part !== segment) return undefined;
  }
  return ids;
}

/** Routes an authorised request under /ari/ (`segments` = the path after it, decoded). */
export function routeAri(ctx: AriContext, method: string, segments: readonly string[], params: Params): AriReply {
  // Fixed names win over ids (`channels/externalMedia` before `channels/*`).
  for (const route of ROUTES) {
    const ids = match(route.pattern, segments);
    if (ids === undefined) continue;
    if (ids.length > 0 && ROUTES.some((other) => other !== route && other.pattern.every((p, i) => p !== '*' && p === segments[i]) && other.pattern.length === segments.length)) continue;
    const handler = route.methods[method];
    return handler === undefined ? methodNotAllowed(route.allow) : handler(ctx, ids, params);
  }
  return RESOURCE_NOT_FOUND;
}

/** Query parameters, with the fields of a JSON object body added (strings only). */
export function requestParams(query: URLSearchParams, body: Buffer): Params {
  const params = new URLSearchParams(query);
  if (body.length === 0) return params;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      for (const [key, value] of Object.entries(parsed)) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params.set(key, String(value));
      }
    }
  } catch {
    // Asterisk ignores a body that is not JSON for these endpoints.
  }
  return params;
}
