/**
 * Runs every benchmark in turn (the numbers of the README's Performance section), each in its own
 * process so one cannot warm or load another. `--quick` passes the quick flags where a bench has them.
 *
 * Usage: npx node bench/run-all.ts [--quick]   (after `make build`)
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const benches: [string, string[]][] = [
  ['startup.ts', []],
  ['agi.ts', []],
  ['engines.ts', []],
  ['llm.ts', []],
  ['store.ts', []],
  ['turn.ts', quick ? ['1'] : ['3']],
  ['calls.ts', quick ? ['--quick'] : []],
  ['turn-taking/call-cpu.ts', quick ? ['1'] : ['5']],
  ['turn-taking.ts', quick ? ['--quick'] : []],
];
let failed = 0;
for (const [file, args] of benches) {
  process.stdout.write(`\n## bench/${file} ${args.join(' ')}\n\n`);
  const run = spawnSync(process.execPath, [join(here, file), ...args], { stdio: 'inherit' });
  if (run.status !== 0) failed += 1;
}
process.exitCode = failed === 0 ? 0 : 1;
