import { Ollama, type ChatResponse, type Tool } from 'ollama';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import { AsyncQueue } from '../runtime/async-queue.ts';
import { guardedFetch, ToolsUnsupportedError } from './guarded-fetch.ts';
import { refusedToolResult, toolCallMessage, toolResultMessage } from './tool-messages.ts';
import { turnError, type StopCause } from './turn-errors.ts';
import { safeJson, type ToolRunner } from '../tools/runner.ts';
import { MarkerExtractor, markerArguments, saidGoodbye } from './markers.ts';
import { announcedAction, applySayDoPolicy, correctionNote, disagrees, type SayDoMismatch } from './say-do.ts';
import type { LlmSettings } from './settings.ts';
import { SpeakableFilter } from './speakable.ts';
import { toolDefinitions, validateToolCall, type TransferWhitelist } from './tools.ts';
import { LlmError, type ChatMessage, type LlmOutcome, type LlmTurn, type LlmTurnStats, type ToolAction } from './types.ts';

/** One turn's request: the conversation decides the messages for each tool protocol. */
export interface TurnRequest {
  settings: LlmSettings;
  /** The protocol to try first; 'auto' tries native tools and falls back to text markers. */
  toolMode: 'auto' | 'native' | 'text';
  messages: (mode: 'native' | 'text') => ChatMessage[];
  callerText: string;
  signal: AbortSignal | undefined;
  log: Logger;
  /** Called when the model refused tools, so later turns start in text mode. */
  onToolsUnsupported: () => void;
  /** The profile's HTTP tools (none when undefined). */
  tools?: ToolRunner | undefined;
  /** A reply whose words and actions disagree (see say-do.ts). Must not throw. */
  onSayDo?: ((mismatch: SayDoMismatch) => void) | undefined;
}

/**
 * A tool call that gets a result back to the model: an HTTP tool, or a call refused before it ran
 * (unknown tool, transfer off the whitelist), so the model can tell the caller instead of going silent.
 */
interface PendingToolCall {
  name: string;
  args: unknown;
  rejected?: string;
}

/** An outcome before its stats are attached. */
type OutcomeBody = DistributiveOmit<LlmOutcome, 'stats'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;


/** Grace after the total timeout in which an aborted request must have settled. */
const HARD_DEADLINE_GRACE_MS = 250;
/** Read a little past num_predict so the server's own cap (and its final stats chunk) wins. */
const CLIENT_TOKEN_MARGIN = 8;

/** Start one streamed turn at once. Deltas flow as they arrive; the outcome never rejects. */
export function startTurn(request: TurnRequest): LlmTurn {
  const queue = new AsyncQueue<string>();
  const run = new TurnRun(request, queue);
  return { deltas: queue, outcome: run.outcome };
}

class TurnRun {
  readonly outcome: Promise<LlmOutcome>;
  readonly #request: TurnRequest;
  readonly #queue: AsyncQueue<string>;
  readonly #controller = new AbortController();
  readonly #startedMs = performance.now();
  #cause: StopCause | undefined;
  #gapTimer: NodeJS.Timeout | undefined;
  #spoken = '';
  #tokens = 0;
  /** Reply characters read so far; nothing past maxReplyChars is read, however it is chunked. */
  #chars = 0;
  #firstTokenMs: number | undefined;
  #evalCount: number | undefined;
  #promptEvalCount: number | undefined;
  #mode: 'native' | 'text';
  #truncated = false;
  #responded = false;
  readonly #actions: ToolAction[] = [];
  readonly #toolCalls: PendingToolCall[] = [];
  /** Messages after the caller's: tool exchanges and corrections of this turn. */
  readonly #extra: ChatMessage[] = [];
  /** Raw model text of the current round (markers included), for the assistant message that precedes tool results. */
  #roundText = '';

  constructor(request: TurnRequest, queue: AsyncQueue<string>) {
    this.#request = request;
    this.#queue = queue;
    this.#mode = request.toolMode === 'text' ? 'text' : 'native';
    let deadline: NodeJS.Timeout | undefined;
    const hardDeadline = new Promise<LlmOutcome>((resolve) => {
      deadline = setTimeout(() => {
        this.#stop('total');
        resolve(this.#finish(this.#failure(new LlmError('LLM_TIMEOUT', `no complete reply within ${request.settings.totalTimeoutMs} ms`))));
      }, request.settings.totalTimeoutMs + HARD_DEADLINE_GRACE_MS);
    });
    this.outcome = Promise.race([this.#run(), hardDeadline]).finally(() => {
      clearTimeout(deadline);
      queue.end();
    });
  }

  async #run(): Promise<LlmOutcome> {
    const { settings, signal } = this.#request;
    const onCaller = () => this.#stop('barge-in');
    if (signal?.aborted === true) return this.#finish({ type: 'aborted', text: '' });
    signal?.addEventListener('abort', onCaller, { once: true });
    const total = setTimeout(() => this.#stop('total'), settings.totalTimeoutMs);
    this.#armGap('first-token');
    try {
      try {
        await this.#stream(true);
      } catch (error) {
        if (!(error instanceof ToolsUnsupportedError) || this.#request.toolMode !== 'auto' || this.#cause !== undefined) throw error;
        this.#request.log.warn('LLM', 'model has no tool support; using text markers for this call', { model: settings.model });
        this.#request.onToolsUnsupported();
        this.#mode = 'text';
        this.#responded = false;
        await this.#stream(true);
      }
      await this.#toolRounds();
      await this.#checkSayDo();
      return this.#finish(this.#decide());
    } catch (error) {
      return this.#finish(this.#classify(error));
    } finally {
      clearTimeout(total);
      clearTimeout(this.#gapTimer);
      signal?.removeEventListener('abort', onCaller);
    }
  }

  get #whitelist(): TransferWhitelist {
    return { destinations: this.#request.settings.destinations, patterns: this.#request.settings.transferPatterns };
  }

  /** One request/response round; `offerTools` false on the last round, so the model must answer in words. */
  async #stream(offerTools: boolean): Promise<void> {
    const { settings } = this.#request;
    const client = new Ollama({ host: settings.host, fetch: guardedFetch(this.#controller.signal, settings.model) });
    const tools: Tool[] | undefined = this.#mode === 'native'
      ? [...toolDefinitions(this.#whitelist), ...(offerTools ? this.#request.tools?.definitions() ?? [] : [])]
      : undefined;
    this.#roundText = '';
    const stream = await client.chat({
      model: settings.model,
      messages: [...this.#request.messages(this.#mode), ...this.#extra],
      stream: true,
      keep_alive: settings.keepAliveSeconds,
      ...(tools === undefined ? {} : { tools }),
      options: { num_predict: settings.maxReplyTokens, temperature: settings.temperature, num_ctx: settings.contextTokens },
    });
    this.#responded = true;
    const markers = new MarkerExtractor();
    const filter = new SpeakableFilter();
    for await (const chunk of stream) {
      this.#onChunk(chunk, markers, filter);
      if (chunk.done) break;
      if (this.#tokens >= settings.maxReplyTokens + CLIENT_TOKEN_MARGIN || this.#chars >= settings.maxReplyChars) {
        this.#truncated = true;
        this.#stop('max-tokens');
        break;
      }
    }
    this.#emit(filter.push(markers.flush()) + filter.flush());
    for (const marker of markers.markers) {
      if (marker.name === 'tool') {
        const spec = this.#request.tools?.spec(marker.tool ?? '');
        this.#accept(marker.tool ?? '', markerArguments(marker.argument, spec?.params.map((p) => p.name) ?? []));
        continue;
      }
      const key = marker.name === 'end_call' ? 'reason' : 'destination';
      this.#accept(marker.name, { [key]: marker.argument });
    }
  }

  /**
   * Run the HTTP tools the model asked for, hand it their results and let it go on, up to
   * tool_max_rounds; the last round offers no tools, so it must answer with what it has.
   */
  async #toolRounds(): Promise<void> {
    const runner = this.#request.tools;
    const maxRounds = this.#request.settings.maxToolRounds;
    for (let round = 1; round <= maxRounds && this.#toolCalls.length > 0 && this.#cause === undefined; round += 1) {
      const calls = this.#toolCalls.splice(0);
      // What the model said before the call is a finished sentence: let it be spoken now.
      this.#emit('\n');
      clearTimeout(this.#gapTimer);
      this.#extra.push(toolCallMessage(this.#mode, this.#roundText, calls));
      for (const call of calls) {
        const content = call.rejected !== undefined || runner === undefined
          ? refusedToolResult(call.rejected ?? 'no such tool')
          : (await runner.run(call.name, call.args, { signal: this.#controller.signal, onWait: (text) => this.#emit(`${text}\n`) })).content;
        if (this.#cause !== undefined) return;
        this.#extra.push(toolResultMessage(this.#mode, call.name, content));
      }
      this.#armGap('first-token');
      await this.#stream(round < maxRounds);
    }
    if (this.#toolCalls.length > 0) {
      this.#request.log.warn('LLM', 'tool calls past tool_max_rounds were not run', { tools: this.#toolCalls.map((c) => c.name).join(','), maxRounds });
      this.#toolCalls.length = 0;
    }
  }

  /** A reply that announces a transfer or goodbye no tool carried out (or the reverse) follows say_do_policy. */
  async #checkSayDo(): Promise<void> {
    if (this.#cause !== undefined) return;
    const said = announcedAction(this.#spoken, this.#whitelist);
    const did = () => this.#actions.find((a) => a.type === 'transfer') ?? this.#actions[0];
    // The keyword rule of text mode already turns a mutual goodbye into end_call.
    if (said?.kind === 'goodbye' && this.#mode === 'text' && saidGoodbye(this.#request.callerText, this.#spoken)) return;
    if (!disagrees(said, did()) || said === undefined) return;
    const policy = this.#request.settings.sayDoPolicy;
    const before = did()?.type ?? 'none';
    const decision = applySayDoPolicy(said, this.#actions, policy);
    let resolution: SayDoMismatch['resolution'];
    if (decision === 'ask-again') {
      this.#emit('\n');
      this.#extra.push({ role: 'assistant', content: this.#roundText }, { role: 'user', content: correctionNote(said, this.#mode) });
      this.#armGap('first-token');
      await this.#stream(false);
      resolution = disagrees(said, did()) ? 'correction-ignored' : 'corrected';
    } else {
      this.#actions.splice(0, this.#actions.length, ...decision.actions);
      resolution = decision.resolution;
    }
    const mismatch: SayDoMismatch = { said: said.kind, did: before, sentence: said.sentence, policy, resolution };
    this.#request.log.warn('LLM', 'the reply says one thing and does another', { said: mismatch.said, did: mismatch.did, resolution, text: said.sentence });
    try {
      this.#request.onSayDo?.(mismatch);
    } catch (error) {
      this.#request.log.warn('LLM', 'recording a say/do mismatch failed', { error: errorMessage(error) });
    }
  }

  #onChunk(chunk: ChatResponse, markers: MarkerExtractor, filter: SpeakableFilter): void {
    const content = chunk.message?.content ?? '';
    const toolCalls = chunk.message?.tool_calls ?? [];
    if (content !== '' || toolCalls.length > 0 || (chunk.message?.thinking ?? '') !== '') this.#armGap('gap');
    if (this.#firstTokenMs === undefined && (content !== '' || toolCalls.length > 0)) {
      this.#firstTokenMs = performance.now() - this.#startedMs;
    }
    if (content !== '') {
      this.#roundText += content;
      this.#tokens += 1;
      const kept = content.slice(0, Math.max(0, this.#request.settings.maxReplyChars - this.#chars));
      this.#chars += kept.length;
      if (kept.length < content.length) this.#truncated = true;
      this.#emit(filter.push(markers.push(kept)));
    }
    for (const call of toolCalls) this.#accept(call.function?.name ?? '', call.function?.arguments);
    if (chunk.done) {
      this.#evalCount = chunk.eval_count;
      this.#promptEvalCount = chunk.prompt_eval_count;
      if (chunk.done_reason === 'length') this.#truncated = true;
    }
  }

  #accept(name: string, args: unknown): void {
    if (this.#request.tools?.spec(name) !== undefined) {
      this.#toolCalls.push({ name: name.trim().toLowerCase(), args });
      return;
    }
    const result = validateToolCall(name, args, this.#whitelist);
    if ('action' in result) {
      this.#actions.push(result.action);
      return;
    }
    this.#toolCalls.push({ name, args, rejected: result.rejected });
    this.#request.log.warn('LLM', 'ignored a tool call from the model', { problem: result.rejected, text: safeJson(args) });
  }

  #emit(text: string): void {
    if (text === '' || (text === '\n' && (this.#spoken === '' || this.#spoken.endsWith('\n')))) return;
    this.#spoken += text;
    this.#queue.push(text);
  }

  #decide(): OutcomeBody {
    const text = this.#spoken.trim();
    const action = this.#actions.find((a) => a.type === 'transfer') ?? this.#actions[0];
    if (action?.type === 'transfer') return { type: 'transfer', destination: action.destination, target: action.target, text };
    if (action?.type === 'end_call') return { type: 'end_call', reason: action.reason, text };
    if (this.#mode === 'text' && saidGoodbye(this.#request.callerText, text)) return { type: 'end_call', reason: 'goodbye (keyword rule)', text };
    if (text === '') return this.#failure(new LlmError('LLM_BAD_RESPONSE', 'the model sent an empty reply'));
    return { type: 'text', text, truncated: this.#truncated };
  }

  #classify(error: unknown): OutcomeBody {
    const failure = turnError(this.#cause, error, this.#responded, this.#request.settings);
    return failure === 'aborted' ? { type: 'aborted', text: this.#spoken.trim() } : this.#failure(failure);
  }

  #failure(error: LlmError): OutcomeBody {
    return { type: 'error', code: error.code, message: error.message, retryable: error.retryable, text: this.#spoken.trim() };
  }

  #finish(outcome: OutcomeBody): LlmOutcome {
    const stats: LlmTurnStats = {
      firstTokenMs: this.#firstTokenMs === undefined ? undefined : Math.round(this.#firstTokenMs),
      totalMs: Math.round(performance.now() - this.#startedMs),
      evalCount: this.#evalCount,
      promptEvalCount: this.#promptEvalCount,
      toolMode: this.#mode,
    };
    const full = { ...outcome, stats } as LlmOutcome;
    const level = full.type === 'error' ? 'warn' : 'info';
    this.#request.log[level]('LLM', `turn ${full.type}`, {
      model: this.#request.settings.model,
      code: full.type === 'error' ? full.code : undefined,
      detail: full.type === 'error' ? full.message : undefined,
      firstTokenMs: stats.firstTokenMs,
      totalMs: stats.totalMs,
      reply: full.text,
    });
    return full;
  }

  #armGap(cause: 'first-token' | 'gap'): void {
    clearTimeout(this.#gapTimer);
    this.#gapTimer = setTimeout(() => this.#stop(cause), this.#request.settings.firstTokenTimeoutMs);
  }

  #stop(cause: StopCause): void {
    if (this.#cause !== undefined) return;
    this.#cause = cause;
    this.#controller.abort();
  }
}
