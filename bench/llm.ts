/**
 * LLM client cost against the fake Ollama (real HTTP on 127.0.0.1), interleaved in one run:
 * 1. Overhead per turn with a zero-delay server: voicebot's turn (ollama client + guards +
 *    post-filter + history) vs the bare ollama client vs a raw fetch + NDJSON parse baseline.
 * 2. Time to first sentence with a 20 tokens/s stream, through the TTS sentence splitter, vs the
 *    same raw fetch baseline and the ideal (when the server sent the sentence's last token).
 *
 * Usage: npx node bench/llm.ts [--runs 200] [--sentence-runs 12]
 */
import { Ollama } from 'ollama';
import { defaultConfig } from '../src/config/load.ts';
import { LlmConversation } from '../src/llm/conversation.ts';
import { llmSettingsFrom, type LlmSettings } from '../src/llm/settings.ts';
import { startFakeOllama, type FakeOllama } from '../src/simulate/fake-ollama.ts';
import { SentenceSplitter } from '../src/tts/sentence-splitter.ts';
import { fixed, markdownTable, median } from './stats.ts';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const RUNS = arg('--runs', 200);
const SENTENCE_RUNS = arg('--sentence-runs', 12);
const TOKEN_DELAY_MS = 50;
const REPLY = 'Thanks for calling the front desk, how can I help? We are open from nine to five on weekdays and ten to two on Saturdays. Is there anything else I can do for you today?';
const FIRST_SENTENCE_TOKENS = (REPLY.split('?')[0] ?? '').match(/\s*\S+/g)?.length ?? 0;

function settings(host: string): LlmSettings {
  return { ...llmSettingsFrom({ ...defaultConfig(), transfer_destinations: ['sales=201'] }), host, model: 'bench', firstTokenTimeoutMs: 10000, totalTimeoutMs: 30000 };
}

function newConversation(host: string): LlmConversation {
  return new LlmConversation({ settings: settings(host), call: { callerNumber: '100', callerName: 'Bench', profile: 'main', language: 'en-US' } });
}

/** Same body the conversation sends, for the baselines. */
function chatBody(host: string): Record<string, unknown> {
  const conversation = newConversation(host);
  return {
    model: 'bench', stream: true, keep_alive: 1800,
    messages: [{ role: 'system', content: conversation.systemPrompt('native') }, { role: 'user', content: 'When are you open?' }],
    options: { num_predict: 120, temperature: 0.6, num_ctx: 4096 },
  };
}

/** Raw fetch + NDJSON parse; calls onText per content delta; resolves with the full text. */
async function rawTurn(host: string, body: Record<string, unknown>, onText: (text: string) => boolean | void, signal?: AbortSignal): Promise<string> {
  const response = await fetch(`${host}/api/chat`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, ...(signal === undefined ? {} : { signal }) });
  const reader = response.body?.getReader();
  if (reader === undefined) throw new Error('no body');
  const decoder = new TextDecoder();
  let buffer = '';
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = JSON.parse(buffer.slice(0, newline)) as { message?: { content?: string } };
      buffer = buffer.slice(newline + 1);
      const delta = line.message?.content ?? '';
      text += delta;
      if (delta !== '' && onText(delta) === true) {
        await reader.cancel();
        return text;
      }
      newline = buffer.indexOf('\n');
    }
  }
  return text;
}

async function overhead(fake: FakeOllama): Promise<string[][]> {
  const body = chatBody(fake.host);
  const client = new Ollama({ host: fake.host });
  const times = { voicebot: [] as number[], client: [] as number[], raw: [] as number[] };
  const variants: [keyof typeof times, () => Promise<unknown>][] = [
    ['raw', () => rawTurn(fake.host, body, () => undefined)],
    ['client', async () => {
      let text = '';
      for await (const chunk of await client.chat({ ...body, stream: true } as Parameters<Ollama['chat']>[0] & { stream: true })) text += chunk.message.content;
      return text;
    }],
    ['voicebot', async () => {
      // A fresh conversation each time so the request body matches the baselines (no history).
      const turn = newConversation(fake.host).respond('When are you open?');
      for await (const _delta of turn.deltas) { /* drain */ }
      const outcome = await turn.outcome;
      if (outcome.type !== 'text') throw new Error(`unexpected ${outcome.type}`);
    }],
  ];
  for (let i = 0; i < 20; i++) for (const [, run] of variants) await run();
  for (let i = 0; i < RUNS; i++) {
    for (const [name, run] of variants) {
      const start = performance.now();
      await run();
      times[name].push(performance.now() - start);
    }
  }
  const base = median(times.raw);
  const row = (label: string, values: number[]) => [label, fixed(median(values), 2), fixed(median(values) - base, 2), fixed(median(values) / base, 2)];
  return [row('raw fetch + NDJSON parse (baseline)', times.raw), row('ollama client, bare', times.client), row('voicebot turn (client + guards + filter + history)', times.voicebot)];
}

async function firstSentence(fake: FakeOllama): Promise<string[][]> {
  const body = chatBody(fake.host);
  const results = { voicebot: [] as number[], raw: [] as number[], firstDelta: [] as number[] };
  for (let i = 0; i < SENTENCE_RUNS; i++) {
    {
      const splitter = new SentenceSplitter();
      const start = performance.now();
      await rawTurn(fake.host, body, (delta) => splitter.push(delta).length > 0);
      results.raw.push(performance.now() - start);
    }
    {
      const splitter = new SentenceSplitter();
      const controller = new AbortController();
      const start = performance.now();
      const turn = newConversation(fake.host).respond('When are you open?', { signal: controller.signal });
      for await (const delta of turn.deltas) {
        if (results.firstDelta.length <= i) results.firstDelta.push(performance.now() - start);
        if (splitter.push(delta).length > 0) {
          results.voicebot.push(performance.now() - start);
          controller.abort();
        }
      }
      await turn.outcome;
    }
  }
  const ideal = (FIRST_SENTENCE_TOKENS - 1) * TOKEN_DELAY_MS;
  const base = median(results.raw);
  return [
    ['ideal: last token of sentence 1 sent', fixed(ideal, 1), '', ''],
    ['raw fetch + splitter (baseline)', fixed(base, 1), fixed(base - ideal, 1), '1.00'],
    ['voicebot turn + splitter', fixed(median(results.voicebot), 1), fixed(median(results.voicebot) - ideal, 1), fixed(median(results.voicebot) / base, 3)],
    ['voicebot first delta', fixed(median(results.firstDelta), 1), '', ''],
  ];
}

async function main(): Promise<void> {
  const instant = await startFakeOllama({ script: () => ({ content: REPLY }), tokenDelayMs: 0 });
  const paced = await startFakeOllama({ script: () => ({ content: REPLY }), tokenDelayMs: TOKEN_DELAY_MS });
  try {
    const tokens = REPLY.match(/\s*\S+/g)?.length ?? 0;
    console.log(`## LLM client overhead per turn (zero-delay fake Ollama, ${tokens}-token reply, median of ${RUNS}, interleaved)\n`);
    console.log(markdownTable(['variant', 'median ms', 'overhead ms', 'ratio'], await overhead(instant)));
    console.log(`\n## Time to first sentence at 20 tokens/s (sentence 1 = ${FIRST_SENTENCE_TOKENS} tokens, median of ${SENTENCE_RUNS})\n`);
    console.log(markdownTable(['variant', 'median ms', 'over ideal ms', 'ratio vs baseline'], await firstSentence(paced)));
  } finally {
    await instant.close();
    await paced.close();
  }
}

await main();
