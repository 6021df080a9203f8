import { Ollama } from 'ollama';
import type { Config } from '../config/keys/index.ts';
import { errorMessage } from '../errors.ts';
import { checkOllama } from '../llm/health.ts';
import { guardedFetch } from '../llm/guarded-fetch.ts';

/** The profile's Ollama model on one short chat, as a caller's first question meets it. */
export interface LlmFigures {
  engine: string;
  /** A fake Ollama answered (its version says so). */
  testEngine: boolean;
  reachable: boolean;
  /** Reachability (checkOllama), and the fix when it failed. */
  detail: string;
  fix?: string;
  /** Loading the model (an empty chat, as each call's warm-up does); ~0 when it was loaded already. */
  loadMs?: number;
  /** Request -> first token of the reply, the model loaded. */
  firstTokenMs?: number;
  /** Generated tokens per second (Ollama's eval_count / eval_duration). */
  tokensPerSecond?: number;
  tokens?: number;
  /** The chat failed after Ollama answered the check. */
  error?: string;
}

const SYSTEM = 'You are the receptionist of a small business on the phone. Answer in one or two short spoken sentences.';
const QUESTION = 'Hello, what are your opening hours on Saturday?';
/** The whole measurement is bounded: a CPU-only box with a large model is slow, not stuck. */
const LLM_BENCH_TIMEOUT_MS = 180_000;

export async function measureLlm(config: Pick<Config, 'ollama_host' | 'ollama_model' | 'llm_keep_alive_seconds' | 'llm_max_reply_tokens' | 'llm_temperature'>): Promise<LlmFigures> {
  const host = config.ollama_host;
  const model = config.ollama_model;
  const health = await checkOllama(host, model, { timeoutMs: 3000 });
  const real = `Ollama ${host} model ${model}`;
  if (!health.ok) return { engine: real, testEngine: false, reachable: false, detail: health.detail, fix: health.fix };
  const signal = AbortSignal.timeout(LLM_BENCH_TIMEOUT_MS);
  const client = new Ollama({ host, fetch: guardedFetch(signal, model) });
  const version = await client.version().then((answer) => answer.version, () => '');
  const testEngine = /fake/i.test(version);
  const figures: LlmFigures = {
    engine: testEngine ? `TEST ENGINE: a fake Ollama (version ${version}) at ${host}, model ${model}` : real,
    testEngine, reachable: true, detail: health.detail,
  };
  try {
    const loadStarted = performance.now();
    await client.chat({ model, messages: [], stream: false, keep_alive: config.llm_keep_alive_seconds });
    figures.loadMs = Math.round(performance.now() - loadStarted);
    const started = performance.now();
    const stream = await client.chat({
      model, stream: true, keep_alive: config.llm_keep_alive_seconds,
      messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: QUESTION }],
      options: { num_predict: Math.min(config.llm_max_reply_tokens, 96), temperature: config.llm_temperature },
    });
    let firstAt: number | undefined;
    let chunks = 0;
    let evalCount: number | undefined;
    let evalDurationNs: number | undefined;
    for await (const chunk of stream) {
      if (chunk.message?.content !== undefined && chunk.message.content !== '') {
        firstAt ??= performance.now();
        chunks += 1;
      }
      if (chunk.done) {
        evalCount = chunk.eval_count;
        evalDurationNs = chunk.eval_duration;
      }
    }
    const endedAt = performance.now();
    if (firstAt !== undefined) figures.firstTokenMs = Math.round(firstAt - started);
    figures.tokens = evalCount ?? chunks;
    const seconds = evalCount !== undefined && evalDurationNs !== undefined && evalDurationNs > 0
      ? evalDurationNs / 1e9 : firstAt === undefined ? 0 : (endedAt - firstAt) / 1000;
    if (seconds > 0) figures.tokensPerSecond = Math.round((figures.tokens / seconds) * 10) / 10;
  } catch (error) {
    figures.error = signal.aborted ? `no complete reply within ${LLM_BENCH_TIMEOUT_MS / 1000} s` : errorMessage(error);
  }
  return figures;
}
