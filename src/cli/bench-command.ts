import type { Command } from 'commander';

interface BenchCliOptions {
  config?: string;
  profile?: string;
  json?: boolean;
  maxCalls: string;
  quick?: boolean;
}

/** Registers `voicebot bench`: engine figures and the max_concurrent_calls this box can take. */
export function registerBench(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('bench')
    .description('measure this box with a profile\'s engines and recommend max_concurrent_calls (takes minutes; writes only to a temp folder)')
    .option('-c, --config <file>', 'voicebot.conf to measure (default: $VOICEBOT_CONFIG or /etc/asterisk/voicebot.conf)')
    .option('-p, --profile <name>', 'profile, as in EAGI(voicebot,<profile>)')
    .option('--json', 'print every figure as one JSON object')
    .option('--max-calls <n>', 'stop the rising number of simultaneous calls here', '64')
    .option('--quick', 'only 1, 2 and 4 calls at once, with a shorter caller (about two minutes)')
    .addHelpText('after', BENCH_HELP)
    .action(async (options: BenchCliOptions) => {
      const { UsageError, VoicebotError, errorMessage } = await import('../errors.ts');
      try {
        process.exitCode = await bench(options, env);
      } catch (error) {
        if (!(error instanceof VoicebotError)) throw error;
        process.stderr.write(`voicebot bench: ${errorMessage(error)}\n`);
        process.exitCode = error instanceof UsageError ? 2 : 1;
      }
    });
}

const BENCH_HELP = `
What it does, on this box, with the profile's engines as configured:
  1. loads the speech model and the voice in this process and asks Ollama one short question:
     load times, memory, real-time factors, time to first token and tokens/s
  2. runs N simulated calls at once (N = 1, 2, 4, 6, 8, 12, 16, 24, 32, ...) of this voicebot through the
     built-in fake Asterisk, each caller asking 3 questions, until the turn latency or the caller audio
     (fd 3) degrades; recommends max_concurrent_calls = the largest N that held.
Test engines (test-tone/test-espeak voices, the generated test model, a fake Ollama) are labelled TEST ENGINE.
When Ollama is unreachable the calls use the built-in fake Ollama, labelled as such.
Nothing is written to the live call log, log file or cache: the calls run a temp config.
Exit code: 0 with a recommendation, 1 when even one call fails or an engine cannot load, 2 for usage errors.
`;

async function bench(options: BenchCliOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const { UsageError } = await import('../errors.ts');
  const maxCalls = Number(options.maxCalls);
  if (!Number.isInteger(maxCalls) || maxCalls < 1 || maxCalls > 1000) throw new UsageError('--max-calls must be a whole number from 1 to 1000');
  const { runBench } = await import('../capacity/bench.ts');
  const { formatBenchReport, progressText } = await import('../capacity/bench-report.ts');
  const { VERSION } = await import('./version.ts');
  const live = process.stderr.isTTY === true;
  let lastTickMs = 0;
  const status = (text: string, transient: boolean) => {
    if (live) process.stderr.write(`\r\x1b[K${text}${transient ? '' : '\n'}`);
    else process.stderr.write(`${text}\n`);
  };
  const report = await runBench({
    configPath: options.config, profile: options.profile, maxCalls, quick: options.quick === true, env, version: VERSION,
    progress: (event) => {
      if (event.kind === 'stage') status(`voicebot bench: ${event.text}`, false);
      else if (event.kind === 'level-start') status(`voicebot bench: ${event.n} call${event.n === 1 ? '' : 's'} at once (~${Math.round(event.expectedMs / 1000)} s)`, live);
      else if (event.kind === 'level-tick') {
        // A terminal line is rewritten every second; a log file gets a line every 10 s.
        if (live || event.elapsedMs - lastTickMs >= 10_000) {
          lastTickMs = live ? 0 : event.elapsedMs;
          status(progressText(event), live);
        }
      } else {
        lastTickMs = 0;
        const level = event.level;
        status(`voicebot bench: N=${level.n} ${level.passed ? 'passed' : 'FAILED'}: p95 turn latency ${level.latencyP95Ms ?? 'n/a'} ms, worst fd 3 lag ${level.worstFd3LagMs} ms${level.passed ? '' : ` (${level.reasons.join('; ')})`}`, false);
      }
    },
  });
  process.stdout.write(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatBenchReport(report));
  return report.capacity.recommendedMaxConcurrentCalls >= 1 ? 0 : 1;
}
