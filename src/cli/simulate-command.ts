import { Option, type Command } from 'commander';
import { addSimulateLineOptions, type SimulateLineCliOptions } from './simulate-line-options.ts';

interface SimulateCliOptions extends SimulateLineCliOptions {
  caller?: string;
  demo?: boolean;
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
  const command = program
    .command('simulate')
    .description('run one whole call without a phone: the built-in fake Asterisk plays caller.wav into voicebot and records the call')
    .option('--caller <wav>', "the caller's side, a 16-bit mono WAV (make one: espeak-ng -w caller.wav 'hello')")
    .option('--demo', 'use a built-in caller (a question, a follow-up, a goodbye) instead of --caller')
    .option('-c, --config <file>', 'voicebot.conf to use as is; without it, real models from models/ and a running Ollama are used where present and test engines (named, with what is missing) elsewhere')
    .option('-p, --profile <name>', 'profile, as in EAGI(voicebot,<profile>)')
    .option('-o, --out <dir>', 'folder for call.wav, transcript.txt, commands.jsonl, voicebot.log, calls.db', 'out/simulate')
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
  addSimulateLineOptions(command);
}

async function simulate(options: SimulateCliOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const { runSimulatedCall, parseDtmfSpec } = await import('../simulate/simulate.ts');
  const { UsageError } = await import('../errors.ts');
  const { join, resolve } = await import('node:path');
  const { mkdirSync } = await import('node:fs');
  const dtmf = options.dtmf.flatMap((value) => value.split(',')).filter((v) => v.trim() !== '').map(parseDtmfSpec);
  const hangupAfterSeconds = Number.parseFloat(options.hangupAfter);
  const speed = Number.parseFloat(options.speed);
  if (!(hangupAfterSeconds >= 0)) throw new UsageError('--hangup-after must be a number of seconds >= 0');
  if (!(speed > 0 && speed <= 100)) throw new UsageError('--speed must be a number from 0 to 100');
  const { simulateLineChoices } = await import('./simulate-line-options.ts');
  const lineChoices = await simulateLineChoices(options, options.config !== undefined);
  if (options.caller === undefined && options.demo !== true) throw new UsageError('say who calls: --caller caller.wav, or --demo for the built-in caller');
  const outDir = resolve(options.out);
  mkdirSync(outDir, { recursive: true });
  let callerWav = options.caller;
  if (callerWav === undefined) {
    const { writeDemoCaller } = await import('../simulate/caller-speech.ts');
    callerWav = join(outDir, 'demo-caller.wav');
    process.stdout.write(`caller      built-in demo (${writeDemoCaller(callerWav)})\n`);
  }
  let configPath = options.config;
  let childEnv = env;
  let close = async () => {};
  if (configPath === undefined) {
    const { prepareSimulation } = await import('../simulate/setup.ts');
    const setup = await prepareSimulation({
      outDir, env, extraSettings: { transfer_destinations: 'sales=PJSIP/201, support=Queue/support' },
      fakeOllamaScript: lineChoices.fakeOllama.script, forceFakeOllama: lineChoices.fakeOllama.script !== undefined, fakeOllamaTokenDelayMs: lineChoices.fakeOllama.tokenDelayMs,
    });
    configPath = setup.configPath;
    close = setup.close;
    process.stdout.write(`engines     ${setup.usesTestEngines ? 'SOME ARE TEST ENGINES (real models missing, see below)' : 'all real'}\n`);
    for (const line of setup.engines) process.stdout.write(`  ${line}\n`);
    process.stdout.write(`config      ${configPath}\n\n`);
    // The prepared config already holds the engine choices; env overrides would undo them.
    childEnv = Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'OLLAMA_HOST' && !name.startsWith('VOICEBOT_')));
  }
  try {
    const result = await runSimulatedCall({
      callerWav, outDir, configPath, profile: options.profile, dtmf,
      hangupAfterAudioMs: hangupAfterSeconds * 1000, hangupMode: options.hangupMode as 'default',
      line: lineChoices.line, afterCallerAudio: lineChoices.afterCallerAudio,
      audioFormat: options.slin16 === true ? 'slin16' : 'slin', timeScale: speed, soundsDir: options.soundsDir, env: childEnv,
    });
    const call = result.call;
    const { conversationText } = await import('../simulate/conversation.ts');
    const { appendFileSync } = await import('node:fs');
    const conversation = conversationText(configPath, options.profile);
    appendFileSync(result.transcript, `\n${conversation}`);
    process.stdout.write(result.transcriptText);
    process.stdout.write(`\n${conversation}`);
    process.stdout.write(`\nrecording   ${result.callWav}\ntranscript  ${result.transcript}\ncommands    ${result.commandsLog}\nlog         ${result.logFile}\n`);
    const ok = call.exitCode === 0 && !call.killed && call.leftoverPids.length === 0;
    if (!ok) process.stderr.write(`voicebot simulate: the call did not end cleanly (exit ${String(call.exitCode)}, signal ${String(call.exitSignal)}${call.killed ? ', killed after timeout' : ''})\n`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await close();
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
