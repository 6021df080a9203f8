import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A FAKE Ollama: a real HTTP server on 127.0.0.1 speaking Ollama's wire format (/api/chat NDJSON
 * stream and stream:false, /api/tags, /api/version, tool calls, 404 for unknown models) with
 * scripted replies, token delays and failure modes. Used by tests, benchmarks and by
 * `voicebot simulate` when no real Ollama is reachable. It records every request.
 */

/** How a scripted reply misbehaves. Stream failures happen after `failAfterTokens` tokens. */
export type FakeFailure =
  | 'hang-before-headers' // request accepted, no response at all
  | 'hang-before-first-token' // 200 + headers, then silence
  | 'hang-mid-stream' // some tokens, then silence
  | 'disconnect-mid-stream' // some tokens, then the socket is destroyed
  | 'malformed-json' // some tokens, then a line that is not JSON
  | 'error-line' // some tokens, then {"error": "..."}
  | 'no-done' // all tokens, then the stream ends without done:true
  | 'http-500'; // plain-text 500

export interface FakeReply {
  /** Reply text, streamed word by word (leading spaces kept, as Ollama tokens are). */
  content?: string;
  /** Explicit tokens; wins over `content`. */
  tokens?: string[];
  /** Sent in message.tool_calls after the text, only when the request offered tools. */
  toolCalls?: { name: string; arguments: Record<string, unknown> }[];
  tokenDelayMs?: number;
  firstTokenDelayMs?: number;
  failure?: FakeFailure;
  failAfterTokens?: number;
}

/** The parts of an /api/chat request body the scripts look at. */
export interface FakeChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  stream: boolean;
  tools?: { function?: { name?: string; parameters?: { properties?: Record<string, { enum?: unknown[] }> } } }[];
  options?: { num_predict?: number; temperature?: number; num_ctx?: number };
  keep_alive?: string | number;
}

export type FakeScript = (request: FakeChatRequest) => FakeReply | Promise<FakeReply>;

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  atMs: number;
  /** Set when the client closed the connection before the reply was complete (e.g. barge-in). */
  clientAborted: boolean;
}

export interface FakeOllamaOptions {
  /** Known model names; undefined accepts any model. */
  models?: string[];
  /** Models that answer 400 "does not support tools" when given tools. */
  noToolModels?: string[];
  /** Replies when the queue is empty; default: the demo receptionist. */
  script?: FakeScript;
  /** Default delay between tokens (0 = as fast as possible). */
  tokenDelayMs?: number;
  /** Stop at options.num_predict with done_reason "length", as Ollama does (default true). */
  honourNumPredict?: boolean;
  version?: string;
}

export interface FakeOllama {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly host: string;
  readonly requests: RecordedRequest[];
  /** Queue replies; each chat request takes the next one before falling back to the script. */
  enqueue(...replies: FakeReply[]): void;
  close(): Promise<void>;
}

/** Start a fake Ollama on 127.0.0.1 with a random port. */
export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const script = options.script ?? demoScript;
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: unknown = raw;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      // Recorded as text.
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const record: RecordedRequest = { method: req.method ?? 'GET', path, body, atMs: Date.now(), clientAborted: false };
    requests.push(record);
    res.on('close', () => { if (!res.writableFinished) record.clientAborted = true; });
    if (path === '/api/version') return json(res, 200, { version: options.version ?? '0.0.0-fake' });
    if (path === '/api/tags') return json(res, 200, { models: (options.models ?? ['fake-demo:latest']).map(tagEntry) });
    if (path !== '/api/chat' || req.method !== 'POST') return json(res, 404, { error: 'page not found' });
    const request = body as FakeChatRequest;
    if (options.models !== undefined && !options.models.some((m) => sameModel(m, request.model))) {
      return json(res, 404, { error: `model "${request.model}" not found, try pulling it first` });
    }
    if (request.tools !== undefined && request.tools.length > 0 && (options.noToolModels ?? []).some((m) => sameModel(m, request.model))) {
      return json(res, 400, { error: `registry.ollama.ai/library/${request.model} does not support tools` });
    }
    if (request.messages.length === 0) {
      // Ollama loads the model and answers at once: done_reason "load".
      return json(res, 200, { model: request.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '' }, done: true, done_reason: 'load' });
    }
    const reply = queue.shift() ?? await script(request);
    await chat(res, request, reply);
  }

  async function chat(res: ServerResponse, request: FakeChatRequest, reply: FakeReply): Promise<void> {
    if (reply.failure === 'hang-before-headers') return;
    if (reply.failure === 'http-500') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('llama runner process has terminated: exit status 2');
      return;
    }
    const startedMs = performance.now();
    let tokens = reply.tokens ?? (reply.content ?? '').match(/\s*\S+/g) ?? [];
    let doneReason = 'stop';
    const limit = request.options?.num_predict;
    if (options.honourNumPredict !== false && limit !== undefined && limit > 0 && tokens.length > limit) {
      tokens = tokens.slice(0, limit);
      doneReason = 'length';
    }
    const toolCalls = request.tools !== undefined && request.tools.length > 0 ? (reply.toolCalls ?? []) : [];
    const base = () => ({ model: request.model, created_at: new Date().toISOString() });
    const final = () => ({
      ...base(), done: true, done_reason: doneReason,
      total_duration: Math.round((performance.now() - startedMs) * 1e6), load_duration: 1_000_000,
      prompt_eval_count: request.messages.reduce((n, m) => n + Math.ceil(m.content.length / 4), 0),
      prompt_eval_duration: 2_000_000, eval_count: tokens.length, eval_duration: Math.round((performance.now() - startedMs) * 1e6),
    });
    const message = (content: string, calls: typeof toolCalls = []) => ({
      role: 'assistant', content, ...(calls.length > 0 ? { tool_calls: calls.map((c) => ({ function: c })) } : {}),
    });
    if (!request.stream) {
      await sleep(reply.firstTokenDelayMs ?? 0, res);
      return json(res, 200, { ...final(), message: message(tokens.join(''), toolCalls) });
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.flushHeaders();
    if (reply.failure === 'hang-before-first-token') return;
    const delayMs = reply.tokenDelayMs ?? options.tokenDelayMs ?? 0;
    const failAt = reply.failAfterTokens ?? 2;
    const write = (value: unknown) => { if (!res.destroyed) res.write(`${JSON.stringify(value)}\n`); };
    await sleep(reply.firstTokenDelayMs ?? 0, res);
    const streamFailure = reply.failure !== undefined && reply.failure !== 'no-done';
    for (let i = 0; i <= tokens.length; i++) {
      if (res.destroyed) return;
      if (streamFailure && i === Math.min(failAt, tokens.length)) {
        if (reply.failure === 'hang-mid-stream') return;
        if (reply.failure === 'disconnect-mid-stream') { res.destroy(); return; }
        if (reply.failure === 'malformed-json') { res.end('{"model":"x","message":{"role":"assis\n'); return; }
        if (reply.failure === 'error-line') { res.end(`${JSON.stringify({ error: 'an error was encountered while running the model: unexpected EOF' })}\n`); return; }
      }
      if (i === tokens.length) break;
      if (i > 0) await sleep(delayMs, res);
      write({ ...base(), message: message(tokens[i] ?? ''), done: false });
    }
    if (toolCalls.length > 0) write({ ...base(), message: message('', toolCalls), done: false });
    if (reply.failure === 'no-done') { res.end(); return; }
    if (!res.destroyed) res.end(`${JSON.stringify({ ...final(), message: message('') })}\n`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => { queue.push(...replies); },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A URL where nothing listens (a port that was bound and released), for "connection refused". */
export async function closedPortHost(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A reply of `words` words in sentences, for "very long reply" tests. */
export function longReply(words: number, extra: Partial<FakeReply> = {}): FakeReply {
  const tokens = Array.from({ length: words }, (_, i) => (i % 12 === 11 ? ' word.' : i === 0 ? 'Word' : ' word'));
  return { tokens, ...extra };
}

const GOODBYE = /\b(good ?bye|bye|that'?s all|hang up)\b/i;

/**
 * The demo receptionist of `voicebot simulate` without a real model: echoes the caller in one or
 * two sentences, says it is a stand-in, transfers when the caller names a destination it was
 * offered, and ends the call (tool or [END_CALL] marker) when the caller says goodbye.
 */
export function demoScript(request: FakeChatRequest): FakeReply {
  const said = [...request.messages].reverse().find((m) => m.role === 'user')?.content.trim() ?? '';
  const usesTools = request.tools !== undefined && request.tools.length > 0;
  if (GOODBYE.test(said)) {
    const content = 'Thank you for calling, goodbye.';
    return usesTools
      ? { content, toolCalls: [{ name: 'end_call', arguments: { reason: 'caller said goodbye' } }] }
      : { content: `${content}\n[END_CALL: caller said goodbye]` };
  }
  const destination = offeredDestinations(request).find((d) => said.toLowerCase().includes(d.toLowerCase()));
  if (destination !== undefined && /\b(transfer|connect|put me through|speak|talk)\b/i.test(said)) {
    const content = `Sure, I will transfer you to ${destination} now.`;
    return usesTools
      ? { content, toolCalls: [{ name: 'transfer_call', arguments: { destination } }] }
      : { content: `${content}\n[TRANSFER: ${destination}]` };
  }
  if (said === '') return { content: 'Sorry, I did not catch that. Could you say it again?' };
  const firstTurn = !request.messages.some((m) => m.role === 'assistant');
  const echo = said.replace(/[.!?]+$/, '').slice(0, 120);
  return {
    content: firstTurn
      ? `This is a demo with a stand-in language model, and I heard: ${echo}. Say goodbye when you are done.`
      : `I heard: ${echo}. Is there anything else?`,
  };
}

function offeredDestinations(request: FakeChatRequest): string[] {
  for (const tool of request.tools ?? []) {
    const values = tool.function?.parameters?.properties?.['destination']?.enum;
    if (tool.function?.name === 'transfer_call' && Array.isArray(values)) return values.map(String);
  }
  const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
  const line = /transfer only to: ([^.\n]+)\./i.exec(system);
  return line?.[1]?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? [];
}

function tagEntry(name: string) {
  const full = name.includes(':') ? name : `${name}:latest`;
  return {
    name: full, model: full, modified_at: new Date(0).toISOString(), size: 1, digest: 'fake',
    details: { parent_model: '', format: 'gguf', family: 'fake', families: ['fake'], parameter_size: '0B', quantization_level: 'none' },
  };
}

function sameModel(a: string, b: string): boolean {
  const full = (name: string) => (name.includes(':') ? name : `${name}:latest`).toLowerCase();
  return full(a) === full(b);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Wait, or stop early when the client went away. */
function sleep(ms: number, res: ServerResponse): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
    res.on('close', done);
  });
}
