import { Option, type Command } from 'commander';

interface SimulateCliOptions {
  caller: string;
  config?: string;
  profile?: string;
  out: string;
  dtmf: string[];
  hangupAfter: string;
  hangupMode: string;
  slin16?: boolean;
  speed: string;
  soundsDir?: string;
}

/** Registers `voicebot simulate`: one whole call against the built-in fake Asterisk. */
export function registerSimulate(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('simulate')
    .description('run one whole call without a phone: the built-in fake Asterisk plays caller.wav into voicebot and records the call')
    .requiredOption('--caller <wav>', "the caller's side, a 16-bit mono WAV (make one: espeak-ng -w caller.wav 'hello')")
    .option('-c, --config <file>', 'voicebot.conf to use (default: $VOICEBOT_CONFIG or /etc/asterisk/voicebot.conf)')
    .option('-p, --profile <name>', 'profile, as in EAGI(voicebot,<profile>)')
    .option('-o, --out <dir>', 'folder for call.wav, transcript.txt, commands.jsonl, voicebot.log', 'simulate-out')
    .option('--dtmf <keys@time>', 'caller key presses, e.g. 5@3.2s or 12#@4500ms (repeatable, or comma-separated)', collect, [])
    .option('--hangup-after <seconds>', 'the caller hangs up this long after their audio ends', '3')
    .addOption(new Option('--hangup-mode <mode>', 'AGISIGHUP/AGIEXITONHANGUP behaviour to simulate').choices(['default', 'nosighup', 'exit', 'both']).default('default'))
    .option('--slin16', 'EAGI_AUDIO_FORMAT=slin16 (16 kHz caller audio on fd 3)')
    .option('--speed <factor>', 'run faster than real time (1 = real time, as on a phone)', '1')
    .option('--sounds-dir <dir>', 'where relative sound names are found (absolute paths always work)')
    .action(async (options: SimulateCliOptions) => {
      const { UsageError, VoicebotError, errorMessage } = await import('../errors.ts');
      try {
        await simulate(options, env);
      } catch (error) {
        if (!(error instanceof VoicebotError)) throw error;
        process.stderr.write(`voicebot simulate: ${errorMessage(error)}\n`);
        process.exitCode = error instanceof UsageError ? 2 : 1;
      }
    });
}

async function simulate(options: SimulateCliOptions, env: NodeJS.ProcessEnv): Promise<void> {
      const { runSimulatedCall, parseDtmfSpec } = await import('../simulate/simulate.ts');
      const { UsageError } = await import('../errors.ts');
      const dtmf = options.dtmf.flatMap((value) => value.split(',')).filter((v) => v.trim() !== '').map(parseDtmfSpec);
      const hangupAfterSeconds = Number.parseFloat(options.hangupAfter);
      const speed = Number.parseFloat(options.speed);
      if (!(hangupAfterSeconds >= 0)) throw new UsageError('--hangup-after must be a number of seconds >= 0');
      if (!(speed > 0 && speed <= 100)) throw new UsageError('--speed must be a number from 0 to 100');
      const result = await runSimulatedCall({
        callerWav: options.caller, outDir: options.out, configPath: options.config, profile: options.profile, dtmf,
        hangupAfterAudioMs: hangupAfterSeconds * 1000, hangupMode: options.hangupMode as 'default',
        audioFormat: options.slin16 === true ? 'slin16' : 'slin', timeScale: speed, soundsDir: options.soundsDir, env,
      });
      const call = result.call;
      process.stdout.write(result.transcriptText);
      process.stdout.write(`\nrecording   ${result.callWav}\ntranscript  ${result.transcript}\ncommands    ${result.commandsLog}\nlog         ${result.logFile}\n`);
      const ok = call.exitCode === 0 && !call.killed && call.leftoverPids.length === 0;
      if (!ok) process.stderr.write(`voicebot simulate: the call did not end cleanly (exit ${String(call.exitCode)}, signal ${String(call.exitSignal)}${call.killed ? ', killed after timeout' : ''})\n`);
      process.exitCode = ok ? 0 : 1;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
