/**
 * Runs the corpus in parallel child processes (each its own process, so `process.cpuUsage` counts
 * only its own work): a worker builds and runs the cases it is given through every mode and prints
 * one JSON line per case with its runs and scores, then one with its own CPU time.
 *
 * Worker: node bench/turn-taking/workers.ts '{"indices":[0,1,2],"perGroup":20,"overrides":{}}'
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Expectation } from './corpus.ts';
import { type CorpusOptions, corpusPlan } from './groups.ts';
import { type CaseScore, scoreCase } from './metrics.ts';
import { type CaseRun, MODES, type Overrides, runCase } from './run-case.ts';

export interface CaseResult {
  id: string;
  group: string;
  detail: string;
  expect: Expectation;
  /** One per mode, in MODES order. */
  runs: CaseRun[];
  scores: CaseScore[];
}

interface WorkerOptions extends CorpusOptions { indices: number[]; overrides: Overrides }

/**
 * Cases per worker process. Each Silero taker keeps ~13 MB of native memory that is not given back
 * (sherpa-onnx frees nothing on close or GC), so a process runs only this many cases and exits.
 */
const CASES_PER_PROCESS = 30;

/** JSON without Infinity/NaN (a turn that never ended is null on the wire). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), indent);
}

function fromLine(line: string): CaseResult {
  const result = JSON.parse(line) as CaseResult;
  for (const score of result.scores) score.endLatenciesMs = score.endLatenciesMs.map((v) => v ?? Number.POSITIVE_INFINITY);
  return result;
}

async function work(options: WorkerOptions): Promise<void> {
  const plan = corpusPlan(options);
  for (const i of options.indices) {
    const c = plan[i]!.build();
    const runs: CaseRun[] = [];
    for (const mode of MODES) runs.push(await runCase(c, mode, options.overrides));
    const result: CaseResult = { id: c.id, group: c.group, detail: c.detail, expect: c.expect, runs, scores: runs.map((run) => scoreCase(c, run)) };
    process.stdout.write(`${toJson(result)}\n`);
  }
  const used = process.cpuUsage();
  process.stdout.write(`${toJson({ workerCpuUs: used.user + used.system })}\n`);
}

/** Every case of the corpus through every mode, over `jobs` child processes; results in corpus order. */
export async function runCorpus(options: CorpusOptions, jobs: number, overrides: Overrides, onProgress?: (done: number) => void): Promise<{ results: CaseResult[]; workerCpuS: number }> {
  const results: CaseResult[] = [];
  let workerCpuUs = 0;
  const script = fileURLToPath(import.meta.url);
  const total = corpusPlan(options).length;
  let next = 0;
  const runWorker = (indices: number[]) => new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [script, toJson({ ...options, indices, overrides })], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('{"workerCpuUs"')) { workerCpuUs += (JSON.parse(line) as { workerCpuUs: number }).workerCpuUs; return; }
      results.push(fromLine(line));
      onProgress?.(results.length);
    });
    const linesDone = new Promise<void>((done) => lines.on('close', done));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`turn-taking worker for cases ${indices[0]}-${indices.at(-1)} exited with ${code}`));
      else void linesDone.then(resolve);
    });
  });
  // `jobs` slots, each running worker processes one after the other on the next chunk of cases.
  await Promise.all(Array.from({ length: jobs }, async () => {
    while (next < total) {
      const indices = Array.from({ length: Math.min(CASES_PER_PROCESS, total - next) }, (_, i) => next + i);
      next += indices.length;
      await runWorker(indices);
    }
  }));
  const order = new Map(corpusPlan(options).map((planned, index) => [planned.id, index]));
  results.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return { results, workerCpuS: workerCpuUs / 1e6 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await work(JSON.parse(process.argv[2] ?? '{}') as WorkerOptions);
}
