/**
 * Start-up cost of the single executable: exec -> first stdout line of `dist/voicebot --version`,
 * against the same Node binary printing one line (`node -e "console.log(0)"`) and doing nothing
 * (`node -e 0`, to exit), interleaved in one run. Also first-start native extraction vs later starts
 * of `voicebot doctor --native`.
 *
 * Usage: npx node bench/startup.ts [--runs 15]   (needs `make build` first)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixed, markdownTable, median } from './stats.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const binary = join(root, 'dist', 'voicebot');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg === -1 ? 15 : Number(process.argv[runsArg + 1]);

/** ms from spawn to the first stdout byte (or to exit when nothing is printed). */
function timeToFirstOutput(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ firstMs: number; exitMs: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let firstMs = Number.NaN;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'], env: { PATH: '/usr/bin:/bin', ...env } });
    child.stdout.once('data', () => { firstMs = Number(process.hrtime.bigint() - start) / 1e6; });
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      const exitMs = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}`));
      else resolve({ firstMs: Number.isNaN(firstMs) ? exitMs : firstMs, exitMs });
    });
  });
}

async function main(): Promise<void> {
  if (!existsSync(binary)) {
    process.stderr.write('dist/voicebot is missing: run `make build` first\n');
    process.exit(1);
  }
  const samples = { version: [] as number[], nodePrint: [] as number[], nodeEmpty: [] as number[] };
  for (let i = 0; i < runs + 2; i += 1) {
    const version = await timeToFirstOutput(binary, ['--version']);
    const nodePrint = await timeToFirstOutput(process.execPath, ['-e', 'console.log(0)']);
    const nodeEmpty = await timeToFirstOutput(process.execPath, ['-e', '0']);
    if (i < 2) continue; // warm the page cache first
    samples.version.push(version.firstMs);
    samples.nodePrint.push(nodePrint.firstMs);
    samples.nodeEmpty.push(nodeEmpty.exitMs);
  }
  const extraction: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < Math.min(runs, 5); i += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'voicebot-bench-native-'));
    const env = { VOICEBOT_NATIVE_DIR: dir, HOME: dir };
    extraction.push((await timeToFirstOutput(binary, ['doctor', '--native'], env)).exitMs);
    warm.push((await timeToFirstOutput(binary, ['doctor', '--native'], env)).exitMs);
    rmSync(dir, { recursive: true, force: true });
  }
  const base = median(samples.nodeEmpty);
  const rows = [
    ['node -e 0 (exit)', fixed(base), '1.00'],
    ['node -e "console.log(0)" (first line)', fixed(median(samples.nodePrint)), fixed(median(samples.nodePrint) / base, 2)],
    ['dist/voicebot --version (first line)', fixed(median(samples.version)), fixed(median(samples.version) / base, 2)],
    ['voicebot doctor --native, first start (extracts natives)', fixed(median(extraction)), fixed(median(extraction) / base, 2)],
    ['voicebot doctor --native, later start', fixed(median(warm)), fixed(median(warm) / base, 2)],
  ];
  process.stdout.write(`Node ${process.version}, ${runs} runs each (medians), ${new Date().toISOString()}\n\n`);
  process.stdout.write(`${markdownTable(['command', 'median ms', 'ratio vs node -e 0'], rows)}\n`);
}

await main();
