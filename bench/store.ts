/**
 * Call log write throughput: turns/s for one writer process and for 20 concurrent writer
 * processes on one SQLite file (each turn its own committed transaction, as in a call).
 * Medians over runs; ratios against the single-writer baseline measured in the same run.
 *
 *   npx node bench/store.ts [--runs 5] [--turns 400] [--writers 20]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '../src/log.ts';
import { CallStore } from '../src/store/call-store.ts';

interface ChildArgs {
  path: string;
  turns: number;
  startAtMs: number;
  synchronous: 'normal' | 'full';
}

interface ChildResult {
  startMs: number;
  endMs: number;
  turns: number;
  retries: number;
  lost: number;
}

const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  await child(JSON.parse(process.argv[3]!) as ChildArgs);
} else {
  await main();
}

async function child(args: ChildArgs): Promise<void> {
  const store = new CallStore({ path: args.path, logger: new Logger({ stderr: true, level: 'warn' }), synchronous: args.synchronous });
  const callId = store.openCall({ callerNumber: String(process.pid), profile: 'bench' });
  await store.flush(60_000);
  while (Date.now() < args.startAtMs) await new Promise((resolve) => setTimeout(resolve, Math.min(20, args.startAtMs - Date.now())));
  const startMs = performance.timeOrigin + performance.now();
  for (let index = 0; index < args.turns; index++) {
    store.addTurn(callId, {
      role: index % 2 === 0 ? 'caller' : 'bot',
      text: `turn ${index}: a sentence of ordinary length that a caller or the bot might say on the phone.`,
      sttMs: 150, llmFirstTokenMs: 300, ttsMs: 60,
    });
    if (store.stats.pending > 0) await store.flush(60_000);
  }
  const endMs = performance.timeOrigin + performance.now();
  store.closeCall(callId, { endReason: 'hangup', status: 'OK' });
  const stats = await store.close();
  const result: ChildResult = { startMs, endMs, turns: args.turns, retries: stats.retries, lost: stats.lost };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(args: ChildArgs): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [SELF, '--child', JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    proc.on('error', reject);
    proc.on('close', (code) => code === 0 ? resolve(JSON.parse(out) as ChildResult) : reject(new Error(`bench child exited ${code}`)));
  });
}

/** Aggregate turns/s of `writers` processes writing `turns` each into one fresh file. */
async function measure(writers: number, turns: number, synchronous: 'normal' | 'full'): Promise<{ turnsPerS: number; retries: number; lost: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-bench-store-'));
  try {
    const path = join(dir, 'calls.db');
    // Every process opens the file and its call first; the timed part starts together.
    const startAtMs = Date.now() + 800 + writers * 60;
    const results = await Promise.all(Array.from({ length: writers }, () => runChild({ path, turns, startAtMs, synchronous })));
    const first = Math.min(...results.map((result) => result.startMs));
    const last = Math.max(...results.map((result) => result.endMs));
    const total = results.reduce((sum, result) => sum + result.turns, 0);
    return {
      turnsPerS: total / ((last - first) / 1000),
      retries: results.reduce((sum, result) => sum + result.retries, 0),
      lost: results.reduce((sum, result) => sum + result.lost, 0),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

async function main(): Promise<void> {
  const runs = option('--runs', 5);
  const turns = option('--turns', 400);
  const writers = option('--writers', 20);
  const cases: { name: string; writers: number; turns: number; synchronous: 'normal' | 'full' }[] = [
    { name: '1 writer, synchronous=NORMAL (baseline)', writers: 1, turns, synchronous: 'normal' },
    { name: `${writers} writer processes, synchronous=NORMAL`, writers, turns: Math.ceil(turns / 4), synchronous: 'normal' },
    { name: '1 writer, synchronous=FULL', writers: 1, turns, synchronous: 'full' },
    { name: `${writers} writer processes, synchronous=FULL`, writers, turns: Math.ceil(turns / 4), synchronous: 'full' },
  ];
  const rows: string[] = [];
  let baseline = 0;
  for (const spec of cases) {
    const samples: number[] = [];
    let retries = 0;
    let lost = 0;
    for (let run = 0; run < runs; run++) {
      const result = await measure(spec.writers, spec.turns, spec.synchronous);
      samples.push(result.turnsPerS);
      retries += result.retries;
      lost += result.lost;
    }
    const value = median(samples);
    if (baseline === 0) baseline = value;
    rows.push(`| ${spec.name} | ${spec.writers * spec.turns} | ${Math.round(value)} | ${(value / baseline).toFixed(2)} | ${retries} | ${lost} |`);
    process.stderr.write(`${spec.name}: ${samples.map((sample) => Math.round(sample)).join(', ')} turns/s\n`);
  }
  process.stdout.write([
    `Call log writes, median of ${runs} runs (each turn one committed transaction; ${process.platform}, ${process.version})`,
    '',
    '| case | turns per run | turns/s | ratio | locked retries (all runs) | lost |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n'));
}
