/**
 * What a flood of calls over max_concurrent_calls costs `voicebot serve`: admitted calls talk
 * while F more are offered within a few seconds; each refused call is answered BUSY in-process (no
 * process start). Reports serve's CPU per refused call (flood window minus the same window with
 * the admitted calls alone) and whether the admitted calls' turns kept their latency.
 *
 * Usage: npx node bench/serve-flood.ts [--binary dist/voicebot] [--limit 4] [--flood 64] [--spread-ms 3000]
 * Test engines (tiny Vosk model, tone voice), vad = energy, fake Ollama; temp folder only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeOllama } from '../src/simulate/fake-ollama.ts';
import { startFakeAri, type FakeAriCall } from '../src/simulate/ari/fake-ari.ts';
import { callerTimeline } from '../test/faults/support/call.ts';
import { procStat } from '../test/faults/support/proc.ts';
import { startServeProcess } from './serve-ari.ts';
import { program, setups, sleep, writeConfig } from './serve-setup.ts';
import { fixed, median } from './stats.ts';

const arg = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
};
const binary = arg('--binary') === undefined ? undefined : resolve(arg('--binary') ?? '');
const limit = Number(arg('--limit') ?? 4);
const flood = Number(arg('--flood') ?? 64);
const spreadMs = Number(arg('--spread-ms') ?? 3000);
const WINDOW_MS = 6000;

const dir = mkdtempSync(join(tmpdir(), 'voicebot-bench-flood-'));
const ollama = await startFakeOllama({ script: () => ({ content: 'We open at nine.' }), tokenDelayMs: 20 });
const fake = await startFakeAri({ username: 'voicebot', password: 'bench', mediaConnectTimeoutMs: 5000 });
const configPath = writeConfig(dir, 'flood', {
  ...(setups(dir)[0]?.settings ?? {}), ollama_host: ollama.host, vad: 'energy', speech_end_ms: 400, greeting: 'Hi.',
  ari_url: fake.url, ari_username: 'voicebot', ari_password: 'bench', serve_health_interval_seconds: 0, max_concurrent_calls: limit,
});
const serve = await startServeProcess({ program: program(binary), configPath, dir, logFile: join(dir, 'flood.log') });
const cpuMs = () => { const stat = procStat(serve.pid); return stat === undefined ? 0 : stat.cpuMs; };

/** Admitted callers: a question every 4 s for the whole run. */
const talker = () => callerTimeline(Array.from({ length: 8 }, () => [2000, { speakMs: 900 }, 1100] as const).flat());
const replyLatencies = (from: number, to: number): number[] => [...serve.log().matchAll(/T(\d\d):(\d\d):(\d\d)\.(\d{3})Z INFO \[LLM\] \S+ bot replied .*firstAudioAfterSpeechMs=(\d+)/g)]
  .filter((m) => { const at = Date.UTC(1970, 0, 1, Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])) % 86_400_000; return at >= from % 86_400_000 && at < to % 86_400_000; })
  .map((m) => Number(m[5]));

try {
  const admitted: FakeAriCall[] = Array.from({ length: limit }, () => fake.placeCall({ args: [], callerAudio: talker(), callerRateHz: 8000, sendSilence: true }));
  await sleep(5000);
  const quietFrom = Date.now();
  const quietCpu = cpuMs();
  await sleep(WINDOW_MS);
  const quietCpuMs = cpuMs() - quietCpu;
  const quietTo = Date.now();
  const floodFrom = Date.now();
  const floodCpu = cpuMs();
  const refused: FakeAriCall[] = [];
  for (let i = 0; i < flood; i += 1) {
    refused.push(fake.placeCall({ args: [], callerAudio: callerTimeline([2000]), callerRateHz: 8000 }));
    await sleep(spreadMs / flood);
  }
  await sleep(WINDOW_MS - (Date.now() - floodFrom));
  const floodCpuMs = cpuMs() - floodCpu;
  const floodTo = Date.now();
  const ends = await Promise.all(refused.map((call) => call.ended));
  const busy = ends.filter((end) => end.variables['VOICEBOT_STATUS'] === 'BUSY').length;
  for (const call of admitted) call.hangup();
  await Promise.all(admitted.map((call) => call.ended));
  const quiet = replyLatencies(quietFrom, quietTo);
  const flooded = replyLatencies(floodFrom, floodTo);
  process.stdout.write(`# bench/serve-flood: ${flood} calls offered in ${spreadMs} ms to voicebot serve with max_concurrent_calls = ${limit} (${limit} talking), ${binary ?? 'source'}, ${new Date().toISOString()}\n\n`);
  process.stdout.write(`| window (${WINDOW_MS} ms) | serve CPU ms | BUSY answers | admitted replies: first audio after speech p50 / max ms |\n| --- | --- | --- | --- |\n`);
  process.stdout.write(`| ${limit} calls talking | ${fixed(quietCpuMs, 0)} | - | ${fixed(median(quiet), 0)} / ${fixed(Math.max(...quiet), 0)} (${quiet.length}) |\n`);
  process.stdout.write(`| the same + the flood | ${fixed(floodCpuMs, 0)} | ${busy}/${flood} | ${fixed(median(flooded), 0)} / ${fixed(Math.max(...flooded), 0)} (${flooded.length}) |\n\n`);
  process.stdout.write(`CPU per refused call: ${fixed((floodCpuMs - quietCpuMs) / flood, 1)} ms (an EAGI refusal starts a process: ~110 ms, README Capacity).\n`);
} finally {
  const problems = await serve.stop();
  for (const problem of problems) process.stdout.write(`problem: ${problem}\n`);
  await fake.close();
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
}
