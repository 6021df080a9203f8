/**
 * Tries turn-taker settings on part of the corpus, in one process: end-of-turn latency and premature
 * ends per group for each setting, to choose the defaults (speech_end_ms, speech_pause_ms, the pitch cue).
 * Run: npx node bench/turn-taking/tune.ts [--cases N] [--only GROUP]... '{"endAfterFinalMs":520}' ...
 */
import { createTurnTaker, type TurnEvent, type TurnTakerOptions } from '../../src/vad/turn-taker.ts';
import { median } from '../stats.ts';
import { FRAME_SAMPLES, lineSamples, referenceSamples, type BenchCase } from './corpus.ts';
import { corpusPlan } from './groups.ts';
import { quantileInf, scoreCase } from './metrics.ts';

const argv = process.argv.slice(2);
const cases = Number.parseInt(argv[argv.indexOf('--cases') + 1] ?? '10', 10) || 10;
const only = argv.flatMap((arg, i) => (arg === '--only' ? [argv[i + 1] ?? ''] : []));
const settings = argv.filter((arg) => arg.startsWith('{')).map((arg) => JSON.parse(arg) as Partial<TurnTakerOptions>);
if (settings.length === 0) settings.push({});
const corpus: BenchCase[] = corpusPlan({ perGroup: cases, only: only.length > 0 ? only : ['clean', 'pause', 'pink 10', 'babble 10', 'hum 10'] }).map((plan) => plan.build());

async function run(c: BenchCase, setting: Partial<TurnTakerOptions>): Promise<TurnEvent[]> {
  const taker = await createTurnTaker({ mode: 'silero+echo', sampleRateHz: 8000, ...setting });
  const events: TurnEvent[] = [];
  for (let start = 0; start < c.base.length; start += FRAME_SAMPLES) {
    const count = Math.min(FRAME_SAMPLES, c.base.length - start);
    events.push(...taker.push(lineSamples(c, start, count), { reference: referenceSamples(c, start, count), botSpeaking: false }));
  }
  taker.close();
  return events;
}

for (const setting of settings) {
  const byGroup = new Map<string, { ends: number[]; premature: number; of: number }>();
  for (const c of corpus) {
    const events = await run(c, setting);
    const score = scoreCase(c, { id: c.id, group: c.group, mode: 'silero+echo', events, stoppedAtSample: undefined, loadCpuUs: 0, pushCpuUs: 0, audioSeconds: 0 });
    const entry = byGroup.get(c.group) ?? { ends: [], premature: 0, of: 0 };
    entry.ends.push(...score.endLatenciesMs);
    if (score.premature !== undefined) { entry.of += 1; if (score.premature) entry.premature += 1; }
    byGroup.set(c.group, entry);
  }
  process.stdout.write(`${JSON.stringify(setting)}\n`);
  for (const [group, entry] of byGroup) {
    process.stdout.write(`  ${group.padEnd(14)} end p50 ${String(Math.round(median(entry.ends))).padStart(5)} p95 ${String(Math.round(quantileInf(entry.ends, 0.95))).padStart(5)}  premature ${entry.premature}/${entry.of}\n`);
  }
}
