/** The Markdown results table (groups x modes) and the check against issue 12's goals. */
import { markdownTable } from '../stats.ts';
import { type GroupMetrics, quantileInf, type Rate } from './metrics.ts';

export function formatRate(rate: Rate): string {
  if (rate.of === 0) return '–';
  return `${((rate.count / rate.of) * 100).toFixed(0)} % (${rate.count}/${rate.of})`;
}

export function formatMs(value: number): string {
  if (Number.isNaN(value)) return '–';
  return Number.isFinite(value) ? value.toFixed(0) : 'never';
}

export function resultsTable(metrics: readonly GroupMetrics[], energyCpu: ReadonlyMap<string, number>): string {
  const rows = metrics.map((m) => {
    const base = energyCpu.get(m.group);
    const ratio = base === undefined || base === 0 ? '' : ` (${(m.cpuPercent / base).toFixed(1)}x)`;
    return [
      m.group, m.mode, m.cases, formatRate(m.falseBargeIn), formatRate(m.missedBargeIn),
      m.reactionMs.values.length === 0 ? '–' : `${formatMs(m.reactionMs.p50)} / ${formatMs(m.reactionMs.p95)}`,
      m.endOfTurnMs.values.length === 0 ? '–' : `${formatMs(m.endOfTurnMs.p50)} / ${formatMs(m.endOfTurnMs.p95)}`,
      formatRate(m.premature),
      `${m.turns.got}/${m.turns.expected} (${m.turns.exact}/${m.cases} exact)`,
      `${m.cpuPercent.toFixed(2)}${ratio}`,
    ];
  });
  return markdownTable(['group', 'mode', 'cases', 'false barge-in', 'missed barge-in', 'reaction p50/p95 ms', 'end of turn p50/p95 ms', 'premature end', 'turns got/expected', 'CPU % core'], rows);
}

/** Which end cue the turn taker gave at the end of each finished sentence, per group and mode. */
export function cueTable(metrics: readonly GroupMetrics[]): string {
  const cues = [...new Set(metrics.flatMap((m) => Object.keys(m.endCues)))].sort();
  const rows = metrics.filter((m) => m.endOfTurnMs.values.length > 0 && m.mode !== 'energy').map((m) => [m.group, m.mode, ...cues.map((cue) => m.endCues[cue] ?? 0)]);
  return markdownTable(['group', 'mode', ...cues], rows);
}

/** `pass` is undefined when the corpus run had no case for the goal (e.g. with --only). */
export interface GoalResult { goal: string; mode: string; value: string; pass: boolean | undefined; miss: string }

function pool(metrics: readonly GroupMetrics[], mode: string, match: (group: string) => boolean): GroupMetrics[] {
  return metrics.filter((m) => m.mode === mode && match(m.group));
}

function sumRate(list: readonly GroupMetrics[], pick: (m: GroupMetrics) => Rate): Rate {
  return { count: list.reduce((sum, m) => sum + pick(m).count, 0), of: list.reduce((sum, m) => sum + pick(m).of, 0) };
}

function rateGoal(goal: string, mode: string, rate: Rate, maxPercent: number, worst: string): GoalResult {
  const percent = rate.of === 0 ? Number.NaN : (rate.count / rate.of) * 100;
  if (rate.of === 0) return { goal, mode, value: '–', pass: undefined, miss: '' };
  const pass = percent <= maxPercent;
  return { goal, mode, value: `${formatRate(rate)}${worst}`, pass, miss: pass ? '' : maxPercent === 0 ? `${rate.count} too many` : `+${(percent - maxPercent).toFixed(1)} points` };
}

function worstOf(list: readonly GroupMetrics[], pick: (m: GroupMetrics) => Rate): string {
  const worst = [...list].sort((a, b) => pick(b).count / Math.max(1, pick(b).of) - pick(a).count / Math.max(1, pick(a).of))[0];
  return worst === undefined || pick(worst).count === 0 || list.length < 2 ? '' : `; worst ${worst.group} ${formatRate(pick(worst))}`;
}

function msGoal(goal: string, mode: string, valueMs: number, maxMs: number, where: string, values: number): GoalResult {
  if (values === 0) return { goal, mode, value: '–', pass: undefined, miss: '' };
  const pass = Number.isFinite(valueMs) && valueMs <= maxMs;
  return { goal, mode, value: `${formatMs(valueMs)} ms${where}`, pass, miss: pass ? '' : Number.isFinite(valueMs) ? `+${(valueMs - maxMs).toFixed(0)} ms` : Number.isNaN(valueMs) ? 'none measured' : 'no end at all' };
}

const isEcho = (group: string) => group.startsWith('echo');
const isBurst = (group: string) => ['cough', 'click', 'door slam'].includes(group);
const isInterrupt = (group: string) => ['over greeting', 'interruption', 'echo + interruption'].includes(group);
const isEndGoal = (group: string) => group === 'clean' || / 10 dB$/.test(group);
const isSteadyLine = (group: string) => /^(pink|hum) \d+ dB$/.test(group);

/** CPU of one mode: push CPU as % of a core, and per call (model load + `callSeconds` of audio). */
export interface ModeCpu { percent: number; loadMs: number; callMs: number }

/**
 * Each goal of issue 12 for each mode: the value, pass or fail, and by how much it misses.
 * `wholeCallPercent`: CPU of a whole call today (% of a core), to put the detector's cost in scale.
 */
export function checkGoals(metrics: readonly GroupMetrics[], modes: readonly string[], cpu: ReadonlyMap<string, ModeCpu>, callSeconds: number, wholeCallPercent: number): GoalResult[] {
  const results: GoalResult[] = [];
  for (const mode of modes) {
    const echo = pool(metrics, mode, isEcho);
    results.push(rateGoal('0 false barge-ins from echo (6-30 dB loss)', mode, sumRate(echo, (m) => m.falseBargeIn), 0, worstOf(echo, (m) => m.falseBargeIn)));
    const steady = pool(metrics, mode, (g) => g.startsWith('steady'));
    results.push(rateGoal('0 false barge-ins from steady noise up to -25 dBFS', mode, sumRate(steady, (m) => m.falseBargeIn), 0, worstOf(steady, (m) => m.falseBargeIn)));
    const bursts = pool(metrics, mode, isBurst);
    results.push(rateGoal('<= 2 % false barge-ins from bursts', mode, sumRate(bursts, (m) => m.falseBargeIn), 2, worstOf(bursts, (m) => m.falseBargeIn)));
    const interrupts = pool(metrics, mode, isInterrupt);
    results.push(rateGoal('<= 2 % missed interruptions (greeting, reply, echo)', mode, sumRate(interrupts, (m) => m.missedBargeIn), 2, worstOf(interrupts, (m) => m.missedBargeIn)));
    const reactions = interrupts.flatMap((m) => m.reactionMs.values);
    results.push(msGoal('barge-in reaction p50 <= 250 ms', mode, quantileInf(reactions, 0.5), 250, ` over ${reactions.length}`, interrupts.length));
    const endGroups = pool(metrics, mode, isEndGoal);
    const worstEnd = [...endGroups].sort((a, b) => b.endOfTurnMs.p50 - a.endOfTurnMs.p50)[0];
    const endDetail = endGroups.map((m) => `${m.group} ${formatMs(m.endOfTurnMs.p50)}`).join(', ');
    const endMisses = endGroups.filter((m) => !(m.endOfTurnMs.p50 <= 600)).map((m) => `${m.group} ${Number.isFinite(m.endOfTurnMs.p50) ? `+${(m.endOfTurnMs.p50 - 600).toFixed(0)} ms` : 'no end'}`);
    const endGoal = msGoal('end of turn p50 <= 600 ms (clean, 10 dB SNR)', mode, worstEnd?.endOfTurnMs.p50 ?? Number.NaN, 600, '', endGroups.length);
    results.push(endGoal.pass === undefined ? endGoal : { ...endGoal, value: endDetail, miss: endMisses.join(', ') });
    const steadyLine = pool(metrics, mode, isSteadyLine).sort((a, b) => b.endOfTurnMs.max - a.endOfTurnMs.max);
    const longest = steadyLine[0];
    results.push(msGoal('end of turn never > 1500 ms with steady noise (pink, hum)', mode, longest?.endOfTurnMs.max ?? Number.NaN, 1500, longest === undefined ? '' : ` max, ${longest.group}; ${steadyLine.reduce((sum, m) => sum + m.endOfTurnMs.values.filter((v) => v > 1500).length, 0)} of ${steadyLine.reduce((sum, m) => sum + m.endOfTurnMs.values.length, 0)} over`, steadyLine.length));
    results.push(rateGoal('no premature end in 500 ms pauses', mode, sumRate(pool(metrics, mode, (g) => g === 'pause 500 ms'), (m) => m.premature), 0, ''));
    results.push(rateGoal('<= 10 % premature ends in 800 ms pauses', mode, sumRate(pool(metrics, mode, (g) => g === 'pause 800 ms'), (m) => m.premature), 10, ''));
    const energy = cpu.get('energy');
    const own = cpu.get(mode);
    if (energy !== undefined && own !== undefined && mode !== 'energy') {
      const ratio = own.callMs / energy.callMs;
      results.push({ goal: 'CPU per call <= 1.5x energy (detector alone)', mode, value: `${ratio.toFixed(1)}x (${own.callMs.toFixed(0)} vs ${energy.callMs.toFixed(0)} ms per ${callSeconds} s call)`, pass: ratio <= 1.5, miss: ratio <= 1.5 ? '' : `+${(ratio - 1.5).toFixed(1)}x` });
      // The detector is a small part of a call: what it adds to a whole call of today.
      const addedPercent = ((own.callMs - energy.callMs) / (callSeconds * 1000)) * 100;
      const whole = (wholeCallPercent + addedPercent) / wholeCallPercent;
      results.push({ goal: `CPU per call <= 1.5x a whole call today (${wholeCallPercent} % of a core)`, mode, value: `${whole.toFixed(2)}x (+${addedPercent.toFixed(2)} % of a core)`, pass: whole <= 1.5, miss: whole <= 1.5 ? '' : `+${(whole - 1.5).toFixed(2)}x` });
    }
  }
  return results;
}

export function goalsTable(results: readonly GoalResult[]): string {
  return markdownTable(['goal', 'mode', 'value', 'met', 'misses by'], results.map((r) => [r.goal, r.mode, r.value, r.pass === undefined ? 'no cases' : r.pass ? 'yes' : 'NO', r.miss]));
}
