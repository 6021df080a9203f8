// Per-turn latency of the real call loop: end of caller speech -> first STREAM FILE of the reply,
// with an instant LLM (pure pipeline overhead) and a 20 tokens/s streaming LLM (first-sentence
// latency), plus exec -> ANSWER and exec -> greeting. Real program (child process), fake Asterisk
// at real time, espeak-ng caller, tiny Vosk model, tone voice, fake Ollama on 127.0.0.1.
// Run: npx node bench/turn.ts [calls per mode, default 3]   (prints markdown tables)
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concatSamples } from '../src/audio/pcm.ts';
import { defaultConfig } from '../src/config/load.ts';
import { callerAudio, speechUnavailable } from '../src/simulate/caller-speech.ts';
import { runFakeAsteriskCall } from '../src/simulate/fake-asterisk.ts';
import { startFakeOllama } from '../src/simulate/fake-ollama.ts';
import { openReader } from '../src/store/open.ts';
import { callDetail, listCalls } from '../src/store/read.ts';
import type { TurnRow } from '../src/store/types.ts';
import { testCallConfig } from '../test/support/call-config.ts';
import { fixed, markdownTable, median } from './stats.ts';

const CALLS = Number.parseInt(process.argv[2] ?? '3', 10);
const mainTs = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const RATE_HZ = 8000;
const UTTERANCES = ['What time do you open on Saturday?', 'And where exactly are you?', 'Can I park there?'];
const GAP_MS = 3000;
const REPLY = 'We are open from nine to five today. Is there anything else I can help with?';
/** Tokens up to and including the first sentence's last word, as the fake Ollama splits them. */
const FIRST_SENTENCE_TOKENS = (REPLY.slice(0, REPLY.indexOf('.') + 1).match(/\s*\S+/g) ?? []).length;
const TOKEN_MS = 50;
const SPEECH_END_MS = defaultConfig().speech_end_ms;

interface TurnSample { speechToPlayMs: number; speechToFinalMs: number; finalToPlayMs: number; row: TurnRow | undefined }
interface CallSample { answerMs: number; greetingMs: number; turns: TurnSample[] }

/** The caller's audio and the call time at which each spoken part really ends (last loud sample). */
function buildCaller(): { samples: Int16Array; speechEndsMs: number[] } {
  const parts: Int16Array[] = [callerAudio([2500], RATE_HZ)];
  const speechEndsMs: number[] = [];
  let offset = parts[0]?.length ?? 0;
  for (const text of UTTERANCES) {
    const speech = callerAudio([text], RATE_HZ);
    let last = 0;
    for (let i = 0; i < speech.length; i += 1) if (Math.abs(speech[i] ?? 0) > 300) last = i;
    speechEndsMs.push(((offset + last) / RATE_HZ) * 1000);
    const gap = callerAudio([GAP_MS], RATE_HZ);
    parts.push(speech, gap);
    offset += speech.length + gap.length;
  }
  return { samples: concatSamples(parts), speechEndsMs };
}

async function runOne(caller: { samples: Int16Array; speechEndsMs: number[] }, tokenDelayMs: number): Promise<CallSample> {
  const ollama = await startFakeOllama({ script: () => ({ content: REPLY, tokenDelayMs, firstTokenDelayMs: tokenDelayMs }) });
  const config = testCallConfig({ ollamaHost: ollama.host, extra: { mirror_verbose: 'no', filler_after_ms: 0 } });
  try {
    const result = await runFakeAsteriskCall({
      command: [process.execPath, mainTs],
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], VOICEBOT_CONFIG: config.configPath, VOICEBOT_LOG_STDERR: 'no' },
      callerAudio: caller.samples, callerRateHz: RATE_HZ,
      events: [{ action: 'hangup', atMs: (caller.samples.length / RATE_HZ) * 1000 }],
      killAfterMs: 60_000,
    });
    const commands = [...result.commands].sort((a, b) => a.t_ms - b.t_ms);
    const answer = commands.find((c) => c.cmd === 'ANSWER');
    const greeting = commands.find((c) => c.cmd.startsWith('STREAM FILE'));
    if (answer === undefined || greeting === undefined) throw new Error(`call failed: ${result.stderr}`);
    const db = openReader(config.dbPath);
    const call = listCalls(db, { limit: 1 })[0];
    const bots = call === undefined ? [] : callDetail(db, call).turns.filter((t) => t.role === 'bot' && t.seq > 1);
    db.close();
    const turns: TurnSample[] = [];
    caller.speechEndsMs.forEach((endMs, index) => {
      const final = commands.find((c) => c.t_ms > endMs && c.cmd.startsWith('GET FULL VARIABLE voicebot-interrupt'));
      const play = commands.find((c) => c.t_ms > endMs && /^STREAM FILE \S+\/tts-\d+ /.test(c.cmd));
      if (final === undefined || play === undefined) return;
      turns.push({ speechToPlayMs: play.t_ms - endMs, speechToFinalMs: final.t_ms - endMs, finalToPlayMs: play.t_ms - final.t_ms, row: bots[index] });
    });
    return { answerMs: answer.t_ms, greetingMs: greeting.t_ms, turns };
  } finally {
    await ollama.close();
  }
}

const why = speechUnavailable();
if (why !== undefined) console.log(`note: ${why}; the caller is a buzz, not speech`);
const caller = buildCaller();
const modes = [
  { name: 'instant LLM (0 ms/token)', tokenDelayMs: 0, idealMs: 0 },
  { name: `streaming LLM (${1000 / TOKEN_MS} tokens/s)`, tokenDelayMs: TOKEN_MS, idealMs: FIRST_SENTENCE_TOKENS * TOKEN_MS },
];
const calls: CallSample[] = [];
const turnRows: (string | number)[][] = [];
const stageRows: (string | number)[][] = [];
for (const mode of modes) {
  const samples: TurnSample[] = [];
  for (let i = 0; i < CALLS; i += 1) {
    const call = await runOne(caller, mode.tokenDelayMs);
    calls.push(call);
    samples.push(...call.turns);
  }
  const speechToPlay = median(samples.map((s) => s.speechToPlayMs));
  const speechToFinal = median(samples.map((s) => s.speechToFinalMs));
  const finalToPlay = median(samples.map((s) => s.finalToPlayMs));
  turnRows.push([
    mode.name, samples.length, fixed(speechToPlay, 0), fixed(speechToFinal, 0), fixed(finalToPlay, 0),
    fixed(mode.idealMs, 0), fixed(finalToPlay - mode.idealMs, 0), fixed(speechToPlay / (SPEECH_END_MS + mode.idealMs), 2),
  ]);
  const rows = samples.map((s) => s.row).filter((r): r is TurnRow => r !== undefined);
  const stat = (pick: (r: TurnRow) => number | null) => fixed(median(rows.map(pick).filter((v): v is number => v !== null)), 0);
  stageRows.push([mode.name, stat((r) => r.llm_first_token_ms), stat((r) => r.llm_total_ms), stat((r) => r.tts_ms), stat((r) => r.first_audio_ms)]);
}

console.log(`\n### bench/turn: end of caller speech -> first STREAM FILE of the reply (${CALLS} calls x ${UTTERANCES.length} turns per mode, real time)\n`);
console.log(markdownTable(
  ['LLM', 'turns', 'speech end -> STREAM FILE ms', 'speech end -> final (endpoint+STT) ms', 'final -> STREAM FILE ms', 'ideal first sentence ms', 'pipeline overhead ms', 'x (speech_end_ms + ideal)'],
  turnRows,
));
console.log(`\nBaseline: speech_end_ms = ${SPEECH_END_MS} ms (endpointing delay); ideal first sentence = ${FIRST_SENTENCE_TOKENS} tokens x ${TOKEN_MS} ms.`);
console.log('Pipeline overhead = (final -> STREAM FILE) - ideal: HTTP, sentence splitting, synthesis, file write, AGI write.\n');
console.log(markdownTable(['LLM', 'llm_first_token_ms', 'llm_total_ms', 'tts_ms (all sentences)', 'first_audio_ms (stored)'], stageRows));
console.log(`\n### bench/turn: call start (${calls.length} calls)\n`);
console.log(markdownTable(['exec -> ANSWER written ms', 'exec -> greeting STREAM FILE written ms'], [
  [fixed(median(calls.map((c) => c.answerMs)), 0), fixed(median(calls.map((c) => c.greetingMs)), 0)],
]));
