/**
 * CPU of whole calls per speech detector: the real program through the fake Asterisk, one caller
 * (three questions, about 30 s), the same call with vad = energy, silero, silero + echo_cancel;
 * the program reports its own CPU (user + system) in its last log line. Medians over the runs.
 * Run: npx node bench/turn-taking/call-cpu.ts [runs]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callerAudio, speechUnavailable } from '../../src/simulate/caller-speech.ts';
import { runFakeAsteriskCall } from '../../src/simulate/fake-asterisk.ts';
import { startFakeOllama } from '../../src/simulate/fake-ollama.ts';
import { testCallConfig } from '../../test/support/call-config.ts';
import { markdownTable, median } from '../stats.ts';

const mainTs = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const RATE_HZ = 8000;
const SETUPS = [
  { name: 'energy (before Silero)', extra: { vad: 'energy', speech_threshold_dbfs: -40, barge_in_threshold_dbfs: -32, speech_start_ms: 200, speech_end_ms: 700, speech_pause_ms: 700, barge_in_min_ms: 300 } },
  { name: 'silero', extra: { vad: 'silero', echo_cancel: 'no' } },
  { name: 'silero + echo reference (default)', extra: {} },
] as const;

export async function callCpuMs(extra: Record<string, string | number>, caller: Int16Array): Promise<{ cpuMs: number; callSeconds: number }> {
  const ollama = await startFakeOllama({ script: () => ({ content: 'We are open from nine to five. On Saturday we open at ten.' }) });
  const config = testCallConfig({ ollamaHost: ollama.host, extra: { mirror_verbose: 'no', filler_after_ms: 0, ...extra } });
  try {
    const callMs = (caller.length / RATE_HZ) * 1000;
    const result = await runFakeAsteriskCall({
      command: [process.execPath, mainTs],
      env: { PATH: process.env['PATH'], VOICEBOT_CONFIG: config.configPath, VOICEBOT_LOG_STDERR: 'no' },
      callerAudio: caller, callerRateHz: RATE_HZ, events: [{ action: 'hangup', atMs: callMs }], killAfterMs: 120_000,
    });
    if (result.exitCode !== 0) throw new Error(`call failed: ${result.stderr}`);
    const log = readFileSync(join(config.dir, 'voicebot.log'), 'utf8');
    const cpu = /process done .*cpuMs=(\d+)/.exec(log);
    if (cpu === null) throw new Error('no cpuMs in the log');
    return { cpuMs: Number(cpu[1]), callSeconds: callMs / 1000 };
  } finally {
    await ollama.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const unavailable = speechUnavailable();
  if (unavailable !== undefined) {
    process.stdout.write(`skipped: ${unavailable}\n`);
    process.exit(0);
  }
  const runs = Math.max(1, Number.parseInt(process.argv[2] ?? '3', 10));
  const caller = callerAudio([8000, 'What are your opening hours on Saturday?', 6000, 'And do you deliver on Sundays?', 6000, 'Thank you, goodbye.', 4000], RATE_HZ);
  const cpu = new Map<string, number[]>();
  let seconds = 0;
  for (let run = 0; run < runs; run += 1) {
    // Interleaved, so a change in the machine's load touches every setup alike.
    for (const setup of SETUPS) {
      const sample = await callCpuMs(setup.extra, caller);
      seconds = sample.callSeconds;
      cpu.set(setup.name, [...cpu.get(setup.name) ?? [], sample.cpuMs]);
    }
  }
  const base = median(cpu.get(SETUPS[0].name) ?? []);
  process.stdout.write(`Whole calls of ${seconds.toFixed(0)} s (greeting, three caller turns, replies), test engines, median of ${runs} runs, interleaved:\n\n`);
  process.stdout.write(markdownTable(['speech detector', 'CPU per call ms', '% of a core over the call', 'vs energy'], SETUPS.map((setup) => {
    const ms = median(cpu.get(setup.name) ?? []);
    return [setup.name, String(Math.round(ms)), ((ms / (seconds * 1000)) * 100).toFixed(2), `${(ms / base).toFixed(2)}x`];
  })));
  process.stdout.write('\n');
}
