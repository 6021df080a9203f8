import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FakeReply } from '../../src/simulate/fake-ollama.ts';
import { rawDb } from '../store/helpers.ts';
import { callerTimeline, describeRun, startFaultCall, type FaultCallResult } from './support/call.ts';
import { hookedOllama } from './support/ollama.ts';

const MAX_REPLY_CHARS = 1000; // llm_max_reply_chars default
const MAX_REPLY_AUDIO_BYTES = 90 * 16000; // tts_max_reply_seconds default, 8 kHz slin
const MAX_DEAD_AIR_MS = 2500; // max_dead_air_ms default

const caller = callerTimeline([2000, { speakMs: 900 }, 12_000]);

async function callWith(reply: FakeReply, settings: Record<string, string | number> = {}, hangupAtMs = 14_000): Promise<FaultCallResult> {
  const ollama = await hookedOllama(() => {}, reply, reply.tokenDelayMs ?? 0);
  try {
    const run = await startFaultCall({ callerAudio: caller, ollamaHost: ollama.host, timeScale: 1, settings, events: [{ action: 'hangup', atMs: hangupAtMs }], killAfterMs: 40_000 });
    return await run.finished;
  } finally {
    await ollama.close();
  }
}

/** Per-call audio written for the bot's replies: files and bytes. */
function replyAudio(result: FaultCallResult): { files: number; bytes: number } {
  const root = join(result.dir, 'cache', 'calls');
  let files = 0;
  let bytes = 0;
  for (const call of readdirSync(root)) {
    for (const file of readdirSync(join(root, call))) {
      files += 1;
      bytes += statSync(join(root, call, file)).size;
    }
  }
  return { files, bytes };
}

function botTurns(dbPath: string): { text: string; played_text: string | null; unplayed: number; audio_path: string | null }[] {
  const db = rawDb(dbPath, { readonly: true });
  try {
    return db.prepare("SELECT text, played_text, unplayed, audio_path FROM turns WHERE role = 'bot' ORDER BY seq").all() as never;
  } finally {
    db.close();
  }
}

/** STREAM FILE of a fixed phrase (the apology, the filler) after the caller's first turn. */
/** Listening: the silent sound with every key as escape digit, or its WAIT FOR DIGIT fallback. */
function isListening(cmd: string): boolean {
  return cmd.startsWith('WAIT FOR DIGIT') || /^STREAM FILE \S+\/listen\//.test(cmd);
}

function phrasePlays(result: FaultCallResult): { t_ms: number; elapsed_ms: number }[] {
  const firstListen = result.commands.findIndex((r) => isListening(r.cmd));
  return result.commands.slice(firstListen).filter((r) => /^STREAM FILE \S+\/phrases\//.test(r.cmd));
}

test('a 1 MB reply in one stream chunk: bounded text, files and bytes; SIGHUP honoured within 1 s; nothing played after it', async (t) => {
  const measured: string[] = [];
  for (const [name, chunk] of [['sentences', 'Hello there. '.repeat(80_700)], ['no boundaries', 'blah '.repeat(210_000)]] as const) {
    const result = await callWith({ tokens: [chunk], firstTokenDelayMs: 10 }, {}, 7000);
    const context = `${name}\n${describeRun(result)}`.slice(0, 6000);
    assert.equal(result.exitCode, 0, context);
    assert.ok(result.exitAfterHangupRealMs !== undefined && result.exitAfterHangupRealMs <= 1000, `exit ${result.exitAfterHangupRealMs} ms after the hangup\n${context}`);
    assert.deepEqual(result.commands.filter((r) => r.dead && r.cmd.startsWith('STREAM FILE')).map((r) => r.cmd), [], 'no STREAM FILE after the hangup');
    const audio = replyAudio(result);
    assert.ok(audio.bytes <= MAX_REPLY_AUDIO_BYTES, `${audio.bytes} bytes of reply audio`);
    assert.ok(audio.files <= MAX_REPLY_CHARS / 10, `${audio.files} reply files`);
    const turns = botTurns(result.dbPath);
    assert.ok(turns.every((turn) => turn.text.length <= MAX_REPLY_CHARS), 'the stored reply is cut to llm_max_reply_chars');
    measured.push(`${name}: exit ${Math.round(result.exitAfterHangupRealMs)} ms after SIGHUP, ${audio.files} files, ${audio.bytes} bytes, reply ${turns.at(-1)?.text.length ?? 0} chars`);
  }
  t.diagnostic(measured.join('; '));
});

test('a reply with nothing speakable gets the apology within max_dead_air_ms; the DB marks it as not played', async (t) => {
  const result = await callWith({ content: '*** ### !!! \u{1F600}\u{1F389} ---', firstTokenDelayMs: 10 });
  const context = describeRun(result).slice(0, 6000);
  assert.equal(result.exitCode, 0, context);
  const apology = phrasePlays(result)[0];
  assert.ok(apology !== undefined, `the apology was played\n${context}`);
  const lastListen = result.commands.filter((r) => isListening(r.cmd) && r.t_ms < apology.t_ms).at(-1)!;
  const deadAirMs = apology.t_ms - (lastListen.t_ms + lastListen.elapsed_ms);
  t.diagnostic(`dead air before the apology: ${Math.round(deadAirMs)} ms (the caller's end-of-speech wait included)`);
  assert.ok(deadAirMs <= MAX_DEAD_AIR_MS, `${Math.round(deadAirMs)} ms of dead air\n${context}`);
  assert.ok(result.commands.some((r) => r.cmd === 'SET VARIABLE VOICEBOT_STATUS "LLM_FAILED"'), context);
  assert.match(result.log, /LLM_NOTHING_SPEAKABLE/);
  const bot = botTurns(result.dbPath)[1];
  assert.equal(bot?.unplayed, 1, 'generated but never played');
  assert.equal(bot?.played_text, '');
});

test('a stream that stalls after the filler (1 token per 5 s): the apology follows within max_dead_air_ms; the DB shows only what was played', async (t) => {
  const result = await callWith({ tokens: ['Well', ' let', ' me', ' see', ' now.'], firstTokenDelayMs: 5000, tokenDelayMs: 5000 }, { filler_after_ms: 1000 });
  const context = describeRun(result).slice(0, 6000);
  assert.equal(result.exitCode, 0, context);
  const [filler, apology] = phrasePlays(result);
  assert.ok(filler !== undefined && apology !== undefined, `filler then apology\n${context}`);
  const deadAirMs = apology.t_ms - (filler.t_ms + filler.elapsed_ms);
  t.diagnostic(`dead air between the filler and the apology: ${Math.round(deadAirMs)} ms (bound ${MAX_DEAD_AIR_MS} ms)`);
  assert.ok(deadAirMs <= MAX_DEAD_AIR_MS + 500, `${Math.round(deadAirMs)} ms of dead air\n${context}`);
  assert.ok(result.commands.some((r) => r.cmd === 'SET VARIABLE VOICEBOT_STATUS "LLM_FAILED"'), context);
  assert.match(result.log, /LLM_STALLED/);
  // Turn 1 is the greeting; a reply turn exists only when a token came before the stall.
  for (const bot of botTurns(result.dbPath).slice(1)) {
    assert.equal(bot.played_text ?? '', '', 'nothing of the reply was played');
    assert.equal(bot.unplayed, 1, 'generated text is marked as not played');
    assert.equal(bot.audio_path ?? '', '', 'no reply audio is named');
  }
});
