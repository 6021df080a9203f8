// Turn taking on a phone line: a generated corpus (espeak-ng and flite callers, 8 kHz, G.711 mu-law;
// noise, bursts, pauses, quiet callers, speech over the greeting and over replies, line echo) run
// through the turn taker in each detector mode side by side: false and missed barge-ins, barge-in
// reaction, end-of-turn latency, premature ends, turns, CPU. Prints Markdown tables and issue 12's
// goals check.
// Run: npx node bench/turn-taking.ts [--quick] [--cases N] [--runs N] [--jobs N] [--set OPTION=VALUE]... [--call-cpu-percent P] [--only GROUP]... [--json [FILE]]
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TURN_TAKING, type VadMode } from '../src/vad/turn-taker.ts';
import { median, markdownTable } from './stats.ts';
import { caseSeconds } from './turn-taking/corpus.ts';
import { type CorpusOptions, corpusPlan, groupNames } from './turn-taking/groups.ts';
import { type GroupMetrics, poolScores } from './turn-taking/metrics.ts';
import { checkGoals, cueTable, goalsTable, resultsTable } from './turn-taking/report.ts';
import { type CaseRun, MODES, type Overrides, runCase } from './turn-taking/run-case.ts';
import { type CaseResult, runCorpus, toJson } from './turn-taking/workers.ts';
import { BABBLE_VOICES, BOT_VOICES, CALLER_VOICES, cacheDir, synthesisUnavailable, voiceLabel } from './turn-taking/voices.ts';

const CALL_SECONDS = 60;

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  const value = index < 0 ? undefined : process.argv[index + 1];
  return value === undefined || value.startsWith('--') ? undefined : value;
}

const quick = process.argv.includes('--quick');
const perGroup = Number.parseInt(option('--cases') ?? (quick ? '3' : '20'), 10);
const cpuRuns = Math.max(1, Number.parseInt(option('--runs') ?? (quick ? '1' : '3'), 10));
const only = process.argv.flatMap((arg, i) => (arg === '--only' && process.argv[i + 1] !== undefined ? [process.argv[i + 1] ?? ''] : []));
const jobs = Math.max(1, Number.parseInt(option('--jobs') ?? String(Math.min(2, availableParallelism())), 10));
// A whole call today with the test engines (README, bench/calls.ts): puts the detector's CPU in scale.
const wholeCallPercent = Number.parseFloat(option('--call-cpu-percent') ?? '3.3');
// --set endAfterPauseMs=900: try a turn-taker option instead of the product default (Silero modes).
const overrides: Overrides = Object.fromEntries(process.argv.flatMap((arg, i) => {
  if (arg !== '--set') return [];
  const [key = '', text = ''] = (process.argv[i + 1] ?? '').split('=');
  const value = text === 'true' || text === 'false' ? text === 'true' : Number(text);
  if (!(key in DEFAULT_TURN_TAKING) || (typeof value === 'number' && (text === '' || Number.isNaN(value)))) {
    throw new Error(`--set ${process.argv[i + 1] ?? ''}: expected OPTION=VALUE with OPTION one of ${Object.keys(DEFAULT_TURN_TAKING).join(', ')} and a number or true/false`);
  }
  return [[key, value]];
}));
const jsonWanted = process.argv.includes('--json');
const jsonPath = option('--json') ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'turn-taking.json');

const unavailable = synthesisUnavailable();
if (unavailable !== undefined) {
  process.stdout.write(`skipped: ${unavailable}\n`);
  process.exit(0);
}

const started = performance.now();
const corpusOptions: CorpusOptions = { perGroup, ...(only.length > 0 ? { only } : {}) };
const plan = corpusPlan(corpusOptions);
const groups = groupNames().filter((name) => plan.some((c) => c.group === name));
process.stdout.write(`Corpus: ${plan.length} cases in ${groups.length} groups, 8 kHz through G.711 mu-law; speech cached in ${cacheDir()}.\n`);
process.stdout.write(`Callers: ${CALLER_VOICES.map(voiceLabel).join(', ')}. Bot: ${BOT_VOICES.map(voiceLabel).join(', ')}. Babble: ${BABBLE_VOICES.map(voiceLabel).join(' + ')}.\n`);
const settings = Object.keys(overrides).length === 0 ? 'the product defaults (the default config is silero+echo)' : `the product defaults but ${JSON.stringify(overrides)}`;
process.stdout.write(`Running ${MODES.join(', ')} over ${jobs} worker process(es), Silero modes with ${settings}; energy = the detector as shipped before Silero.\n\n`);

// Every case through every mode (interleaved per case, so a busy machine slows all modes alike).
const { results, workerCpuS } = await runCorpus(corpusOptions, jobs, overrides, (done) => {
  if (done % 50 === 0 || done === plan.length) process.stderr.write(`  ${done}/${plan.length} cases, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
});
const byGroup = new Map<string, CaseResult[]>(groups.map((name) => [name, results.filter((r) => r.group === name)]));
const seconds = (list: readonly CaseResult[]) => list.reduce((sum, r) => sum + (r.runs[0]?.audioSeconds ?? 0), 0);
const totalSeconds = seconds(results);
process.stdout.write(`${markdownTable(['group', 'cases', 'audio s'], groups.map((name) => [name, byGroup.get(name)?.length ?? 0, seconds(byGroup.get(name) ?? []).toFixed(0)]))}\n\n`);
process.stdout.write(`${results.length} cases, ${totalSeconds.toFixed(0)} s of audio per mode.\n\n`);

// CPU: the first case of each group through every mode, `cpuRuns` times (the corpus run is the first).
const cpuPlan = groups.map((name) => plan.find((c) => c.group === name)).filter((c) => c !== undefined);
const cpuSamples = new Map<VadMode, { percent: number; callMs: number; loadMs: number }[]>(MODES.map((mode) => [mode, []]));
const cpuCases = cpuPlan.map((planned) => planned.build());
for (let run = 0; run < cpuRuns; run += 1) {
  const perMode = new Map<VadMode, CaseRun[]>(MODES.map((mode) => [mode, []]));
  for (const c of cpuCases) {
    for (const [m, mode] of MODES.entries()) {
      const result = run === 0 ? results.find((r) => r.id === c.id)?.runs[m] : await runCase(c, mode, overrides);
      if (result !== undefined) perMode.get(mode)?.push(result);
    }
  }
  for (const mode of MODES) {
    const list = perMode.get(mode) ?? [];
    const audio = list.reduce((sum, r) => sum + r.audioSeconds, 0);
    const percent = (list.reduce((sum, r) => sum + r.pushCpuUs, 0) / 1e6 / audio) * 100;
    const loadMs = median(list.map((r) => r.loadCpuUs / 1000));
    cpuSamples.get(mode)?.push({ percent, loadMs, callMs: loadMs + (percent / 100) * CALL_SECONDS * 1000 });
  }
}
const cpu = new Map(MODES.map((mode) => {
  const samples = cpuSamples.get(mode) ?? [];
  return [mode, { percent: median(samples.map((s) => s.percent)), loadMs: median(samples.map((s) => s.loadMs)), callMs: median(samples.map((s) => s.callMs)) }];
}));

const metrics: GroupMetrics[] = [];
for (const name of groups) {
  const list = byGroup.get(name) ?? [];
  for (const [m, mode] of MODES.entries()) {
    metrics.push(poolScores(name, mode, list.flatMap((r) => r.runs[m] ?? []), list.flatMap((r) => r.scores[m] ?? [])));
  }
}
const energyCpu = new Map(metrics.filter((m) => m.mode === 'energy').map((m) => [m.group, m.cpuPercent]));
const goals = checkGoals(metrics, MODES, cpu, CALL_SECONDS, wholeCallPercent);
const runtimeS = (performance.now() - started) / 1000;

process.stdout.write(`${resultsTable(metrics, energyCpu)}\n\n`);
process.stdout.write('Rates are of cases (missed: of interruptions); reaction = barge-in event - caller speech onset; end of turn = speech-end event - true end of the sentence ("never": no end before the case ends, 2 s later); premature = a speech-end inside the sentence; CPU = push CPU as % of one core per second of audio, over the whole group (x = vs energy on the same group).\n\n');
process.stdout.write(`${markdownTable(['mode', 'CPU % of a core', 'model load CPU ms', `CPU per ${CALL_SECONDS} s call ms`, 'vs energy'], MODES.map((mode) => {
  const value = cpu.get(mode);
  const energy = cpu.get('energy');
  return [mode, value?.percent.toFixed(2) ?? '', value?.loadMs.toFixed(1) ?? '', value?.callMs.toFixed(0) ?? '', energy === undefined || value === undefined ? '' : `${(value.callMs / energy.callMs).toFixed(1)}x`];
}))}\n\n`);
process.stdout.write(`CPU: median of ${cpuRuns} run(s) over ${cpuCases.length} cases (the first of each group, ${cpuCases.reduce((sum, c) => sum + caseSeconds(c), 0).toFixed(0)} s of audio); per call = model load + ${CALL_SECONDS} s of audio.\n\n`);
process.stdout.write(`End cue at the end of each finished sentence (what the hold after the speech was chosen by; 'none': no end):\n\n${cueTable(metrics)}\n\n`);
process.stdout.write(`## Goals (issue 12)\n\n${goalsTable(goals)}\n\n`);
const mainCpu = process.cpuUsage();
const cpuS = workerCpuS + (mainCpu.user + mainCpu.system) / 1e6;
process.stdout.write(`Runtime: ${runtimeS.toFixed(1)} s wall with ${jobs} worker(s), ${cpuS.toFixed(0)} s CPU in all (workers and this process).\n`);

if (jsonWanted) {
  mkdirSync(dirname(jsonPath), { recursive: true });
  const cases = results.map((r) => ({ id: r.id, group: r.group, detail: r.detail, expect: r.expect, modes: Object.fromEntries(MODES.map((mode, m) => [mode, { events: r.runs[m]?.events, score: r.scores[m] }])) }));
  writeFileSync(jsonPath, `${toJson({ perGroup, quick, overrides, cpuRuns, jobs, runtimeS, cpuS, corpus: { cases: results.length, audioSecondsPerMode: totalSeconds }, cpu: Object.fromEntries(cpu), metrics, goals, cases }, 1)}\n`);
  process.stdout.write(`JSON: ${jsonPath}\n`);
}
