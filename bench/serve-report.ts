/** The tables of bench/serve.ts: memory per additional call, CPU per call, barge-in reaction. */
import type { Batch } from './serve-eagi.ts';
import type { Memory, Setup } from './serve-setup.ts';
import { fixed, markdownTable, median, quantile } from './stats.ts';

/** Everything one engine setup gave over all runs. */
export interface SetupResult {
  setup: Setup;
  eagi: Batch[];
  /** serve, 1 call (after the warm-up call), one per run. */
  serveOne: Batch[];
  /** serve, N simultaneous calls, one per run. */
  serveMany: Batch[];
  /** Problems outside the batches (serve start/stop). */
  problems: string[];
}

const mb = (kb: number): number => kb / 1024;
const ratio = (serve: number, eagi: number): string => (Number.isFinite(serve) && Number.isFinite(eagi) && eagi !== 0 ? fixed(serve / eagi, 2) : 'n/a');

/** Per run: (value(N) - value(1)) / (N - 1) of the serve process; undefined when a reading is missing. */
function servePerCall(result: SetupResult, calls: number, key: keyof Memory): number[] {
  return result.serveOne.flatMap((one, run) => {
    const a = one.memory[0]?.[key];
    const b = result.serveMany[run]?.memory[0]?.[key];
    return a === undefined || b === undefined ? [] : [mb(b - a) / (calls - 1)];
  });
}

export function memoryTable(results: readonly SetupResult[], calls: number): string {
  if (calls < 2) return 'Memory per additional call: not measured (needs --calls 2 or more: serve\'s figure is (value(N) - value(1)) / (N - 1)).';
  const rows = results.flatMap((result) => (['anonKb', 'rssKb'] as const).map((key) => {
    const eagi = result.eagi.flatMap((b) => b.memory.map((m) => mb(m[key])));
    const serve = servePerCall(result, calls, key);
    const one = result.serveOne.flatMap((b) => b.memory.map((m) => mb(m[key])));
    const many = result.serveMany.flatMap((b) => b.memory.map((m) => mb(m[key])));
    const eagiMedian = median(eagi);
    const serveMedian = median(serve);
    const share = serveMedian / eagiMedian;
    return [
      result.setup.name, key === 'anonKb' ? 'private (RssAnon)' : 'resident (VmRSS)',
      `${fixed(eagiMedian)} (${eagi.length} processes)`,
      `${fixed(serveMedian)} (runs: ${serve.map((v) => fixed(v)).join(', ') || 'none'})`,
      `${fixed(median(one))} / ${fixed(median(many))}`,
      ratio(serveMedian, eagiMedian),
      Number.isFinite(share) ? (share <= 0.2 ? 'yes' : 'no') : 'n/a',
    ];
  }));
  return markdownTable(['engines', 'memory', 'EAGI: one call process, MB (median)', `serve: per additional call, MB (median of runs)`, `serve process at 1 / ${calls} calls, MB`, 'serve / EAGI', 'goal serve <= 1/5 EAGI'], rows);
}

export function cpuTable(results: readonly SetupResult[], calls: number): string {
  const perCall = (batches: readonly Batch[]) => batches.flatMap((b) => (b.cpuMs === undefined ? [] : [b.cpuMs / calls]));
  const rows = results.map((result) => {
    const eagi = perCall(result.eagi);
    const serve = perCall(result.serveMany);
    return [
      result.setup.name, `${fixed(median(eagi), 0)} (runs: ${eagi.map((v) => fixed(v, 0)).join(', ') || 'none'})`,
      `${fixed(median(serve), 0)} (runs: ${serve.map((v) => fixed(v, 0)).join(', ') || 'none'})`, ratio(median(serve), median(eagi)),
    ];
  });
  return markdownTable(['engines', 'EAGI: CPU ms per call (median of runs)', `serve: CPU ms per call over the ${calls}-call batch (median of runs)`, 'serve / EAGI'], rows);
}

export function bargeInTable(results: readonly SetupResult[], calls: number, runs: number): string {
  const rows = results.flatMap((result) => ([['EAGI (playback stop)', result.eagi], ['serve (FLUSH_MEDIA)', result.serveMany]] as const).map(([name, batches]) => {
    const values = batches.flatMap((b) => b.reactionsMs);
    return [
      result.setup.name, name, `${values.length}/${calls * runs}`,
      fixed(median(values), 0), fixed(quantile(values, 0.95), 0), fixed(values.length === 0 ? Number.NaN : Math.max(...values), 0),
      name.startsWith('serve') ? (median(values) <= 150 ? 'yes' : Number.isFinite(median(values)) ? 'no' : 'n/a') : '',
    ];
  }));
  return markdownTable(['engines', 'transport', 'measured calls', 'p50 ms', 'p95 ms', 'max ms', 'goal serve p50 <= 150 ms'], rows);
}

/** Every problem seen, once each, shortened: what could not be measured and why. */
export function problemList(results: readonly SetupResult[]): string {
  const all = results.flatMap((r) => [...r.problems, ...[...r.eagi, ...r.serveOne, ...r.serveMany].flatMap((b) => b.problems)].map((p) => `${r.setup.name}: ${p}`));
  if (all.length === 0) return 'No problems: every call ended by the caller\'s hangup, every reading was taken, serve cleaned up every bridge and media channel and exited 0 on SIGTERM.';
  const unique = [...new Set(all)];
  const shown = unique.slice(0, 40).map((p) => `- ${p.length > 600 ? `${p.slice(0, 600)}...` : p}`);
  return `Problems (${unique.length}${unique.length > 40 ? ', first 40 shown' : ''}):\n\n${shown.join('\n')}`;
}
