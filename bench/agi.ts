// AGI layer benchmark: per-call process cost and protocol overhead against the fake Asterisk.
// Run: npx node bench/agi.ts   (prints a markdown table; medians over RUNS runs)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HANGUP_MODES, runFakeAsteriskCall } from '../src/simulate/fake-asterisk.ts';
import { fixed, markdownTable, median } from './stats.ts';

const RUNS = 7;
const root = fileURLToPath(new URL('..', import.meta.url));
const mainTs = join(root, 'src', 'cli', 'main.ts');
const script = join(root, 'test', 'support', 'agi-script.ts');
const work = mkdtempSync(join(tmpdir(), 'voicebot-bench-agi-'));
const env = { PATH: process.env['PATH'], VOICEBOT_LOG_FILE: join(work, 'voicebot.log') };
// Baseline: the smallest Node program that reads the env block and writes ANSWER.
const baseline = join(work, 'baseline.mjs');
writeFileSync(baseline, "let b='';process.stdin.on('data',d=>{b+=d;if(b.includes('\\n\\n')&&!b.includes('#')){b+='#';process.stdout.write('ANSWER\\n');}if(/200 result=0\\n$/.test(b))process.exit(0);});\n");

async function answerMs(command: string[]): Promise<number> {
  const result = await runFakeAsteriskCall({ command, env, events: [{ action: 'hangup', atMs: 600 }], killAfterMs: 10_000 });
  const answer = result.commands.find((c) => c.cmd === 'ANSWER');
  if (answer === undefined) throw new Error(`no ANSWER: ${result.stderr}`);
  return answer.t_ms;
}

async function hangupToExitMs(): Promise<number> {
  const result = await runFakeAsteriskCall({ command: [process.execPath, mainTs], env, hangupMode: HANGUP_MODES.default, events: [{ action: 'hangup', atMs: 800 }], killAfterMs: 10_000 });
  return result.exitAfterHangupRealMs ?? Number.NaN;
}

async function commandRoundTripMs(count: number): Promise<number> {
  const plan = join(work, 'noops.json');
  writeFileSync(plan, JSON.stringify(Array.from({ length: count }, () => ({ cmd: 'NOOP' }))));
  const result = await runFakeAsteriskCall({ command: [process.execPath, script, 'replay', plan, join(work, 'out.json'), 'slin'], env, killAfterMs: 30_000 });
  const noops = result.commands.filter((c) => c.cmd === 'NOOP');
  const first = noops[0];
  const last = noops[noops.length - 1];
  if (first === undefined || last === undefined) throw new Error('no NOOPs');
  return (last.t_ms - first.t_ms) / (noops.length - 1);
}

const rows: (string | number)[][] = [];
const base: number[] = [];
const bot: number[] = [];
const exits: number[] = [];
const trips: number[] = [];
for (let run = 0; run < RUNS; run += 1) {
  base.push(await answerMs([process.execPath, baseline]));
  bot.push(await answerMs([process.execPath, mainTs]));
  exits.push(await hangupToExitMs());
  trips.push(await commandRoundTripMs(500));
}
rows.push(['exec -> ANSWER written, minimal Node script (baseline)', fixed(median(base)), '1.00']);
rows.push(['exec -> ANSWER written, voicebot from source', fixed(median(bot)), fixed(median(bot) / median(base), 2)]);
rows.push(['hangup (SIGHUP + result=-1) -> process exited', fixed(median(exits)), '']);
rows.push(['one command round trip (NOOP via AgiChannel, real pipes)', fixed(median(trips), 3), '']);
console.log(`AGI layer, ${RUNS} runs each, medians (ms)\n`);
console.log(markdownTable(['measure', 'ms', 'ratio to baseline'], rows));
