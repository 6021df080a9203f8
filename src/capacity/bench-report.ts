import type { LimitCheck } from './capacity-run.ts';
import type { LevelFigures } from './figures.ts';
import type { LlmFigures } from './llm-figures.ts';
import type { SttFigures, TtsFigures } from './speech-figures.ts';

/** Everything `voicebot bench --json` prints, as one object. */
export interface BenchReport {
  voicebot: string;
  config: string;
  profile: string;
  host: { cpus: number; cpuModel: string; memoryMb: number; loadAverage1m: number };
  engines: { stt: SttFigures; tts: TtsFigures; llm: LlmFigures };
  /** True when any figure (engines or calls) comes from a test engine. */
  testEngines: boolean;
  capacity: {
    /** Where the calls' replies came from (the profile's Ollama, or the labelled fake). */
    llm: string;
    caller: string;
    callLengthMs: number;
    /** How the calls of one level start. */
    starts: string;
    criterion: string;
    levels: LevelFigures[];
    /** The recommendation tried under a burst of more calls than it admits (highest first). */
    limitChecks: LimitCheck[];
    recommendedMaxConcurrentCalls: number;
    why: string;
  };
  elapsedMs: number;
}

/** The report as text for a terminal: engine figures, the capacity table, the recommendation. */
export function formatBenchReport(report: BenchReport): string {
  const { stt, tts, llm } = report.engines;
  const { capacity } = report;
  const lines = [
    `voicebot bench ${report.voicebot}: profile ${report.profile}, config ${report.config}`,
    `box: ${report.host.cpus} CPUs (${report.host.cpuModel}), ${(report.host.memoryMb / 1024).toFixed(1)} GB RAM, load ${report.host.loadAverage1m.toFixed(2)} at the start`,
    '',
    'Engines (what one call pays, measured in this process)',
    `  STT  ${stt.engine}`,
    `       model load ${stt.loadMs} ms, +${stt.rssAddedMb} MB RSS; RTF ${stt.rtf} (CPU ${stt.cpuMs} ms for ${(stt.audioMs / 1000).toFixed(1)} s of speech)`,
    `  TTS  ${tts.engine}`,
    `       voice load ${tts.loadMs} ms${tts.prepareMs > 0 ? ` (+ ${tts.prepareMs} ms one-off preparation)` : ''}, +${tts.rssAddedMb} MB RSS; first sentence ${tts.firstSentenceMs} ms; RTF ${tts.rtf}`,
    ...llmLines(llm),
    '',
    `Capacity: N calls at once of this voicebot through the built-in fake Asterisk, in real time`,
    `  each caller: ${capacity.caller}; ${(capacity.callLengthMs / 1000).toFixed(0)} s per call; ${capacity.starts}`,
    `  replies: ${capacity.llm}`,
    '',
    table(capacity.levels),
    ...limitLines(capacity.limitChecks),
    '',
    `Recommended: max_concurrent_calls = ${capacity.recommendedMaxConcurrentCalls}`,
    `  ${capacity.why}`,
    `  criterion: ${capacity.criterion}`,
  ];
  if (capacity.recommendedMaxConcurrentCalls > 0) {
    lines.push(`  set it in [general] of ${report.config === '(defaults)' ? 'voicebot.conf' : report.config}; calls over it get VOICEBOT_STATUS=BUSY at once`);
  }
  if (report.testEngines) {
    lines.push('', 'NOTE: some figures above come from TEST ENGINES. Real models cost far more CPU and memory per call:',
      'install them (models/README.md) and run voicebot bench again before setting max_concurrent_calls.');
  }
  lines.push('', `bench took ${(report.elapsedMs / 1000).toFixed(0)} s`);
  return `${lines.join('\n')}\n`;
}

function llmLines(llm: LlmFigures): string[] {
  if (!llm.reachable) {
    return [
      `  LLM  ${llm.engine}: UNREACHABLE: ${llm.detail}`,
      `       fix: ${llm.fix ?? ''}`,
      '       the capacity runs below use the built-in fake Ollama (TEST ENGINE) instead',
    ];
  }
  if (llm.error !== undefined) return [`  LLM  ${llm.engine}`, `       the chat failed: ${llm.error}`];
  return [
    `  LLM  ${llm.engine}`,
    `       first token ${llm.firstTokenMs ?? 'n/a'} ms, ${llm.tokensPerSecond ?? 'n/a'} tokens/s (${llm.tokens ?? 0} tokens); model load ${llm.loadMs ?? 'n/a'} ms`,
  ];
}

function table(levels: readonly LevelFigures[]): string {
  const header = ['N', 'result', 'turn latency p50 / p95 (ms)', 'p95 vs N=1', 'worst fd 3 lag (ms): calls / start-up', 'CPU per call (median / max)', 'peak RSS (MB): per call / all at once'];
  const rows = levels.map((level) => [
    String(level.n),
    level.passed ? 'pass' : `FAIL: ${level.reasons.join('; ')}`,
    `${show(level.latencyP50Ms)} / ${show(level.latencyP95Ms)}`,
    level.latencyVsN1 === null ? (level.n === 1 ? 'base' : 'n/a') : `${level.latencyVsN1.toFixed(2)}x`,
    `${level.worstFd3LagMs}${level.fd3DroppedMs > 0 ? ` (+${level.fd3DroppedMs} ms dropped)` : ''} / ${level.worstStartupFd3LagMs}`,
    `${show(level.cpuPerCallPct, '%')} / ${show(level.cpuPerCallPctMax, '%')}`,
    `${show(level.peakRssPerCallMb)} / ${show(level.peakRssTotalMb)}`,
  ]);
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function show(value: number | null, unit = ''): string {
  return value === null ? 'n/a' : `${value}${unit}`;
}

/** One progress line for stderr. */
export function progressText(event: { n: number; elapsedMs: number; expectedMs: number; callsDone: number }): string {
  return `voicebot bench: N=${event.n}: ${Math.round(event.elapsedMs / 1000)} s of ~${Math.round(event.expectedMs / 1000)} s, ${event.callsDone}/${event.n} calls done`;
}

function limitLines(checks: readonly LimitCheck[]): string[] {
  if (checks.length === 0) return [];
  return ['', 'The limit under a burst: more calls than the limit within a few seconds, max_concurrent_calls set; the admitted calls judged as above',
    ...checks.map((check) => `  max_concurrent_calls = ${check.limit}: ${check.offered} calls in ${check.burstMs / 1000} s, ${check.busy} got BUSY, `
      + `${check.admitted.n} admitted: ${check.admitted.passed ? 'pass' : `FAIL: ${check.admitted.reasons.join('; ')}`} `
      + `(p95 ${check.admitted.latencyP95Ms ?? 'n/a'} ms, ${check.admitted.latencyVsN1 ?? 'n/a'}x N=1; worst fd 3 lag ${check.admitted.worstFd3LagMs} ms / start-up ${check.admitted.worstStartupFd3LagMs} ms)`)];
}
