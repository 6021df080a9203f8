import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mainTs, nodeBin } from '../test/support/paths.ts';
import { callerScript, PROBE, readProbe, runCalls, type CallerScript, type Engines, type ProbeLine } from './calls-run.ts';
import { fixed, markdownTable, median } from './stats.ts';

const RUNS = 3;

function probeProcess(args: string[]): ProbeLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-bench-mem-'));
  const out = join(dir, 'probe.jsonl');
  for (let i = 0; i < RUNS; i++) {
    spawnSync(nodeBin, [`--import=${PROBE}`, ...args], { env: { PATH: process.env['PATH'], VOICEBOT_BENCH_PROBE_OUT: out }, stdio: 'ignore' });
  }
  return readProbe(out);
}

async function probeCall(engines: Engines, caller: CallerScript, ollamaHost: string): Promise<ProbeLine[]> {
  const measures = await runCalls({ count: RUNS, caller, engines, ollamaHost, staggerMs: 1000 });
  return measures.flatMap((measure) => (measure.probe === undefined ? [] : [measure.probe]));
}

/**
 * What one call process's memory is made of: bare Node, the CLI loaded (`--version`), a whole call
 * with the test engines, with the piper-dummy voice (sherpa-onnx + onnxruntime), with real models.
 * Medians of 3 processes, read at exit (VmHWM = peak RSS; RssAnon = private; RssFile = shared
 * library pages, shared between calls).
 */
export async function memoryBreakdown(options: {
  caller: CallerScript; ollamaHost: string; tiny: Engines; piperDummyVoice: string | undefined; realVosk: string | undefined; realVoice: string | undefined;
}): Promise<void> {
  const short = callerScript(['What are your opening hours?'], { leadMs: 2500, gapMs: 5000 });
  const rows: { what: string; lines: ProbeLine[] }[] = [
    { what: 'bare Node 24 (`node -e 0`)', lines: probeProcess(['-e', '0']) },
    { what: 'voicebot --version (CLI modules loaded)', lines: probeProcess([mainTs, '--version']) },
    { what: 'call: tiny Vosk model + tone voice', lines: await probeCall(options.tiny, short, options.ollamaHost) },
  ];
  const notes: string[] = [];
  if (options.piperDummyVoice !== undefined && existsSync(options.piperDummyVoice)) {
    rows.push({ what: 'call: tiny Vosk model + piper-dummy voice (sherpa-onnx)', lines: await probeCall({ label: 'piper-dummy', settings: { ...options.tiny.settings, voice_engine: 'piper', piper_voice: options.piperDummyVoice } }, short, options.ollamaHost) });
  } else {
    notes.push('piper-dummy voice not found (shared testdata missing): sherpa-onnx row skipped');
  }
  if ((options.realVosk ?? '') !== '') {
    rows.push({ what: `call: real Vosk model ${options.realVosk} + tone voice`, lines: await probeCall({ label: 'real vosk', settings: { ...options.tiny.settings, vosk_model_dir: options.realVosk! } }, short, options.ollamaHost) });
  } else {
    notes.push('VOICEBOT_TEST_VOSK_MODEL not set: real Vosk row skipped (anchor figure: a small English model is ~300 MB resident)');
  }
  if ((options.realVoice ?? '') !== '') {
    rows.push({ what: `call: tiny Vosk model + Piper ${options.realVoice}`, lines: await probeCall({ label: 'real voice', settings: { ...options.tiny.settings, voice_engine: 'piper', piper_voice: options.realVoice! } }, short, options.ollamaHost) });
  } else {
    notes.push('VOICEBOT_TEST_PIPER_VOICE not set: real Piper row skipped');
  }
  const mb = (lines: ProbeLine[], key: keyof ProbeLine) => median(lines.map((line) => Number(line[key]))) / 1024;
  const base = rows[0]!.lines;
  console.log('## Per-call memory: what one process is made of\n');
  console.log(markdownTable(
    ['process', 'runs', 'peak RSS (VmHWM) MB', '+ vs bare Node', 'private (RssAnon) MB', 'shared libs (RssFile) MB', 'JS heap used / total MB', 'external + array buffers MB'],
    rows.map(({ what, lines }) => [
      what, lines.length, fixed(mb(lines, 'vmHwmKb')), fixed(mb(lines, 'vmHwmKb') - mb(base, 'vmHwmKb')),
      fixed(mb(lines, 'rssAnonKb')), fixed(mb(lines, 'rssFileKb')),
      `${fixed(mb(lines, 'heapUsedKb'))} / ${fixed(mb(lines, 'heapTotalKb'))}`, `${fixed(mb(lines, 'externalKb'))} + ${fixed(mb(lines, 'arrayBuffersKb'))}`,
    ]),
  ));
  for (const note of notes) console.log(`\n- ${note}`);
  console.log('');
}
