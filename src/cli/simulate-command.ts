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
  useConfigPaths?: boolean;
  transport: string;
}

/** Registers `voicebot simulate`: one whole call against the built-in fake Asterisk. */
export function registerSimulate(program: Command, env: NodeJS.ProcessEnv): void {
  const command = program
    .command('simulate')
    .description('run one whole call without a phone: the built-in fake Asterisk plays caller.wav into voicebot and records the call')
    .option('--caller <wav>', "the caller's side, a 16-bit mono WAV, played from the moment the call starts (make one: espeak-ng -w caller.wav 'hello')")
    .option('--demo', 'use a built-in caller (a question, a follow-up, a goodbye) instead of --caller')
    .option('-c, --config <file>', 'voicebot.conf to use as is; without it, real models from models/ and a running Ollama are used where present and test engines (named, with what is missing) elsewhere')
    .option('-p, --profile <name>', 'profile, as in EAGI(voicebot,<profile>)')
    .option('-o, --out <dir>', 'folder for call.wav, transcript.txt, commands.jsonl, and the call\'s calls.db, voicebot.log and cache (also with --config)', 'out/simulate')
    .option('--use-config-paths', 'with --config: write the call log, log file and cache where the config says (e.g. the live call log) instead of into --out')
    .option('--dtmf <keys@time>', 'caller key presses, e.g. 5@3.2s or 12#@4500ms (repeatable, or comma-separated)', collect, [])
    .option('--hangup-after <seconds>', 'the caller hangs up this long after their audio ends', '3')
    .addOption(new Option('--hangup-mode <mode>', 'AGISIGHUP/AGIEXITONHANGUP behaviour to simulate').choices(['default', 'nosighup', 'exit', 'both']).default('default'))
    .option('--slin16', 'EAGI_AUDIO_FORMAT=slin16 (16 kHz caller audio on fd 3)')
    .option('--speed <factor>', 'run faster than real time (1 = real time, as on a phone)', '1')
    .option('--sounds-dir <dir>', 'where relative sound names are found (absolute paths always work)')
    .addOption(new Option('--transport <transport>', 'eagi: one process for the call, as EAGI(voicebot) runs it; ari: voicebot serve attached to a fake Asterisk over ARI and chan_websocket media, as Stasis(voicebot) runs it (real time; no --line options)').choices(['eagi', 'ari']).default('eagi'))
    .addHelpText('after', SIMULATE_HELP)
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

const SIMULATE_HELP = `
The caller's WAV starts playing when the call starts, over the greeting. To leave silence before
the caller speaks (say 4 s, so the greeting ends first), pad the WAV:
  sox caller.wav padded.wav pad 4          (or: espeak-ng -w hi.wav "Hello"; sox hi.wav padded.wav pad 4)
Examples (from a checkout; once installed, run voicebot directly):
  npm run voicebot -- simulate --demo
  npm run voicebot -- simulate --caller padded.wav --dtmf 0@6s -o out/try
  npm run voicebot -- simulate --caller padded.wav --config /etc/asterisk/voicebot.conf --profile receptionist
Exit code: 0 when the call was served, 1 when it was refused or failed (the reasons on stderr), 2 for usage errors.
`;

async function simulate(options: SimulateCliOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const { runSimulatedCall, parseDtmfSpec, readCallerWav } = await import('../simulate/simulate.ts');
  const { UsageError } = await import('../errors.ts');
  const { join, resolve } = await import('node:path');
  const { mkdirSync, readFileSync, appendFileSync } = await import('node:fs');
  const dtmf = options.dtmf.flatMap((value) => value.split(',')).filter((v) => v.trim() !== '').map(parseDtmfSpec);
  const hangupAfterSeconds = Number.parseFloat(options.hangupAfter);
  const speed = Number.parseFloat(options.speed);
  if (!(hangupAfterSeconds >= 0)) throw new UsageError('--hangup-after must be a number of seconds >= 0');
  if (!(speed > 0 && speed <= 100)) throw new UsageError('--speed must be a number from 0 to 100');
  const { simulateLineChoices } = await import('./simulate-line-options.ts');
  const lineChoices = await simulateLineChoices(options, options.config !== undefined);
  if (options.caller === undefined && options.demo !== true) throw new UsageError('say who calls: --caller caller.wav, or --demo for the built-in caller');
  if (options.useConfigPaths === true && options.config === undefined) throw new UsageError('--use-config-paths needs --config');
  if (options.transport === 'ari' && (speed !== 1 || options.slin16 === true || options.hangupMode !== 'default' || lineChoices.line !== undefined)) {
    throw new UsageError('--transport ari runs in real time over chan_websocket media: --speed, --slin16, --hangup-mode and the --line options are for EAGI only');
  }
  // Checked before any engine is prepared: a wrong path fails in a moment, not after model loading.
  if (options.caller !== undefined) readCallerWav(options.caller);
  const outDir = resolve(options.out);
  mkdirSync(outDir, { recursive: true });
  let callerWav = options.caller;
  let said;
  if (callerWav === undefined) {
    const { writeDemoCaller } = await import('../simulate/caller-speech.ts');
    callerWav = join(outDir, 'demo-caller.wav');
    const demo = writeDemoCaller(callerWav);
    said = demo.said;
    process.stdout.write(`caller      built-in demo (${demo.description})\n`);
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
    process.stdout.write(`config      ${configPath}\n`);
    // The prepared config already holds the engine choices; env overrides would undo them.
    childEnv = Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'OLLAMA_HOST' && !name.startsWith('VOICEBOT_')));
  } else if (options.useConfigPaths !== true) {
    // A real config (maybe /etc/asterisk/voicebot.conf) must not put a simulated call into the live call log.
    childEnv = { ...env, VOICEBOT_DB_PATH: join(outDir, 'calls.db'), VOICEBOT_CACHE_DIR: join(outDir, 'cache') };
    process.stdout.write(`config      ${resolve(configPath)} (call log, log and cache in ${outDir}; --use-config-paths keeps the config's)\n`);
  }
  if (options.transport === 'ari') {
    try {
      await simulateOverAri({ options, callerWav, outDir, configPath, said, dtmf, hangupAfterSeconds, env: childEnv });
    } finally {
      await close();
    }
    return;
  }
  process.stdout.write('\n# timeline (live; call.wav: left = caller, right = bot)\n');
  try {
    const result = await runSimulatedCall({
      callerWav, outDir, configPath, profile: options.profile, dtmf, said,
      hangupAfterAudioMs: hangupAfterSeconds * 1000, hangupMode: options.hangupMode as 'default',
      line: lineChoices.line, afterCallerAudio: lineChoices.afterCallerAudio,
      audioFormat: options.slin16 === true ? 'slin16' : 'slin', timeScale: speed, soundsDir: options.soundsDir, env: childEnv,
      onTimeline: (text) => process.stdout.write(text),
    });
    const { callLogPath, conversationText } = await import('../simulate/conversation.ts');
    const { judgeCall } = await import('../simulate/call-verdict.ts');
    let dbPath = join(outDir, 'calls.db');
    try { dbPath = callLogPath(configPath, options.profile, { ...childEnv, VOICEBOT_CONFIG: resolve(configPath) }); } catch { /* the call refused the config too: the verdict says why */ }
    const conversation = conversationText(dbPath, said === undefined ? undefined : { lines: said, callStartEpochMs: result.startedAtEpochMs, timeScale: speed });
    appendFileSync(result.transcript, `\n${conversation}`);
    process.stdout.write(`\n${conversation}`);
    process.stdout.write(`\nrecording   ${result.callWav}\ntranscript  ${result.transcript}\ncommands    ${result.commandsLog}\nlog         ${result.logFile}\ncall log    ${dbPath}\n`);
    let logText = '';
    try { logText = readFileSync(result.logFile, 'utf8'); } catch { /* no log written */ }
    const verdict = judgeCall(result.call, logText);
    if (!verdict.ok) process.stderr.write(`voicebot simulate: the call was not served:\n${verdict.reasons.map((line) => `  ${line}`).join('\n')}\n`);
    process.exitCode = verdict.ok ? 0 : 1;
  } finally {
    await close();
  }
}

async function simulateOverAri(run: {
  options: SimulateCliOptions; callerWav: string; outDir: string; configPath: string; said: import('../simulate/call-recording.ts').CallerLine[] | undefined;
  dtmf: { digits: string; atMs: number }[]; hangupAfterSeconds: number; env: NodeJS.ProcessEnv;
}): Promise<void> {
  const { runSimulatedAriCall } = await import('../simulate/ari-simulate.ts');
  const { callLogPath, conversationText } = await import('../simulate/conversation.ts');
  const { resolve } = await import('node:path');
  const { appendFileSync } = await import('node:fs');
  process.stdout.write('\n# voicebot serve over ARI (fake Asterisk 22: REST, events, chan_websocket media)\n');
  const result = await runSimulatedAriCall({
    callerWav: run.callerWav, outDir: run.outDir, configPath: run.configPath, profile: run.options.profile, dtmf: run.dtmf,
    hangupAfterAudioMs: run.hangupAfterSeconds * 1000, env: run.env, onLine: (text) => process.stdout.write(text),
  });
  let dbPath = resolve(run.outDir, 'calls.db');
  try { dbPath = callLogPath(run.configPath, run.options.profile, { ...run.env, VOICEBOT_CONFIG: resolve(run.configPath) }); } catch { /* reported below */ }
  const conversation = conversationText(dbPath, run.said === undefined ? undefined : { lines: run.said, callStartEpochMs: result.startedAtEpochMs, timeScale: 1 });
  appendFileSync(result.transcript, `\n${conversation}`);
  process.stdout.write(`\n${conversation}`);
  process.stdout.write(`\nrecording   ${result.callWav}\ntranscript  ${result.transcript}\nrequests    ${result.commandsLog}\nlog         ${result.logFile}\ncall log    ${dbPath}\n`);
  if (result.problems.length > 0) process.stderr.write(`voicebot simulate: the call was not served:\n${result.problems.map((line) => `  ${line}`).join('\n')}\n`);
  process.exitCode = result.problems.length === 0 ? 0 : 1;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
