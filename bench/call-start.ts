/**
 * Call start from the built binary: exec -> ANSWER and exec -> the greeting's STREAM FILE through
 * the fake Asterisk (real pipes), and the CPU one call spends until its greeting plays (the
 * `greeting` log line), against two baselines in the same run: `node -e 0` (spawn to exit) and
 * the smallest Node program that reads the env block, answers and streams a file.
 *
 * Usage: npx node bench/call-start.ts [--runs 15] [--binary dist/voicebot]   (needs `make build`)
 *
 * Test engines (tiny Vosk model, tone voice); the greeting is in the phrase cache after a warm-up
 * call, as on a box that has taken a call before. Nothing is written outside a temp folder.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFakeAsteriskCall, type FakeCallResult } from '../src/simulate/fake-asterisk.ts';
import { writeTinyVoskModel } from '../src/simulate/tiny-vosk-model.ts';
import { fixed, markdownTable, median, quantile } from './stats.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
};
const runs = Number(arg('--runs') ?? 15);
const binary = resolve(arg('--binary') ?? join(root, 'dist', 'voicebot'));

const work = mkdtempSync(join(tmpdir(), 'voicebot-bench-start-'));
const logFile = join(work, 'voicebot.log');
const configPath = join(work, 'voicebot.conf');
writeFileSync(configPath, `[general]
vosk_model_dir = ${writeTinyVoskModel(join(work, 'model'))}
voice_engine = test-tone
ollama_host = http://127.0.0.1:9
db_path = ${join(work, 'calls.db')}
log_file = ${logFile}
cache_dir = ${join(work, 'cache')}
`);
const env = { PATH: '/usr/bin:/bin', VOICEBOT_CONFIG: configPath, VOICEBOT_LOG_STDERR: 'no', VOICEBOT_NATIVE_DIR: join(work, 'native') };

const baseline = join(work, 'baseline.cjs');
writeFileSync(baseline, `let b='';let step=0;process.stdin.on('data',d=>{b+=d;
if(step===0&&b.includes('\\n\\n')){step=1;b='';process.stdout.write('ANSWER\\n');}
else if(step===1&&b.includes('\\n')){step=2;b='';process.stdout.write('STREAM FILE ${join(work, 'cache')}/x ""\\n');}
else if(step===2&&b.includes('\\n')){process.exit(0);}});\n`);

interface StartSample { answerMs: number; greetingMs: number; cpuMs: number | undefined }

function afterSpawn(result: FakeCallResult, predicate: (cmd: string) => boolean): number {
  const spawned = result.events.find((e) => e.kind === 'spawned')?.t_ms ?? 0;
  const record = result.commands.find((c) => predicate(c.cmd));
  if (record === undefined) throw new Error(`command not found; stderr: ${result.stderr.slice(-500)}`);
  return record.t_ms - spawned;
}

async function voicebotCall(): Promise<StartSample> {
  const before = existsSync(logFile) ? readFileSync(logFile, 'utf8').length : 0;
  const result = await runFakeAsteriskCall({ command: [binary], env, events: [{ action: 'hangup', atMs: 1200 }], killAfterMs: 20_000 });
  const logged = readFileSync(logFile, 'utf8').slice(before);
  const cpu = /greeting .*cpuMs=(\d+)/.exec(logged)?.[1];
  return {
    answerMs: afterSpawn(result, (cmd) => cmd === 'ANSWER'),
    greetingMs: afterSpawn(result, (cmd) => cmd.startsWith('STREAM FILE') && cmd.includes('/phrases/')),
    cpuMs: cpu === undefined ? undefined : Number(cpu),
  };
}

async function baselineCall(): Promise<StartSample> {
  const result = await runFakeAsteriskCall({ command: [process.execPath, baseline], env, events: [{ action: 'hangup', atMs: 1200 }], killAfterMs: 20_000 });
  return { answerMs: afterSpawn(result, (cmd) => cmd === 'ANSWER'), greetingMs: afterSpawn(result, (cmd) => cmd.startsWith('STREAM FILE')), cpuMs: undefined };
}

function nodeExitMs(): Promise<number> {
  return new Promise((resolveExit, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolveExit(Number(process.hrtime.bigint() - started) / 1e6));
  });
}

async function main(): Promise<void> {
  if (!existsSync(binary)) {
    process.stderr.write(`${binary} is missing: run \`make build\` first\n`);
    process.exit(1);
  }
  await voicebotCall(); // renders the greeting into the phrase cache, extracts the natives
  const bot: StartSample[] = [];
  const base: StartSample[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs + 1; i += 1) {
    const sample = await voicebotCall();
    const baseSample = await baselineCall();
    const bareMs = await nodeExitMs();
    if (i === 0) continue;
    bot.push(sample);
    base.push(baseSample);
    bare.push(bareMs);
    process.stderr.write(`\rrun ${i}/${runs}`);
  }
  process.stderr.write('\n');
  const bareMedian = median(bare);
  const row = (name: string, values: number[]) => [name, fixed(median(values)), fixed(quantile(values, 0.9)), fixed(median(values) / bareMedian, 2)];
  const cpu = bot.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
  process.stdout.write(`Node ${process.version}, ${runs} runs each (medians), ${new Date().toISOString()}, binary ${binary}\n\n`);
  process.stdout.write(`${markdownTable(['measure', 'p50 ms', 'p90 ms', 'ratio vs node -e 0'], [
    row('node -e 0 (spawn to exit)', bare),
    row('baseline AGI script: exec -> ANSWER', base.map((s) => s.answerMs)),
    row('baseline AGI script: exec -> STREAM FILE', base.map((s) => s.greetingMs)),
    row('voicebot: exec -> ANSWER', bot.map((s) => s.answerMs)),
    row('voicebot: exec -> greeting STREAM FILE', bot.map((s) => s.greetingMs)),
  ])}\n\n`);
  process.stdout.write(`CPU of one call's start until the greeting plays (user+system): p50 ${fixed(median(cpu))} ms, p90 ${fixed(quantile(cpu, 0.9))} ms (${cpu.length} calls)\n`);
  rmSync(work, { recursive: true, force: true });
}

await main();
