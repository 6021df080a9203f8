import { Command, CommanderError, Option } from 'commander';
import { registerBench } from './bench-command.ts';
import { registerCalls } from './calls-command.ts';
import { registerSimulate } from './simulate-command.ts';
import { VERSION } from './version.ts';

/** Exit codes: 0 ok, 1 a check or command failed, 2 usage error (as Unix tools do), 70 internal bug. */
export const EXIT_OK = 0;
export const EXIT_USAGE = 2;

/** The commands a person types. A call under Asterisk never gets here: main.ts routes it to the call entry. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const program = buildProgram(env);
  try {
    await program.parseAsync(args, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        return EXIT_OK;
      }
      return EXIT_USAGE;
    }
    throw error;
  }
}

/** What `voicebot call` is for, shown instead of waiting for an AGI env block from a terminal. */
export const CALL_BY_HAND = `voicebot call runs one phone call for Asterisk: Asterisk starts it through EAGI(voicebot,<profile>)
and talks to it on stdin, stdout and fd 3. Typed in a terminal it has no call to serve, so it stops here
and creates nothing.
  try a whole call without Asterisk:  npm run voicebot -- simulate --demo   (installed: voicebot simulate --demo)
  check an installation:              voicebot doctor
  review calls:                       voicebot calls list
`;

function buildProgram(env: NodeJS.ProcessEnv): Command {
  const program = new Command('voicebot')
    .description('Offline AI phone agent for Asterisk. In the dialplan: EAGI(voicebot) or EAGI(voicebot,<profile>).')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
    });

  program
    .command('doctor')
    .description('check native libraries, config, models, Ollama, database and Asterisk paths')
    .option('-c, --config <file>', 'voicebot.conf to check (default: $VOICEBOT_CONFIG or /etc/asterisk/voicebot.conf)')
    .option('-p, --profile <name>', 'check this profile instead of [general]')
    .option('--native', 'only load the native libraries (no config, models or services)')
    .option('-u, --user <name>', 'also check file access as this account (the one Asterisk runs as)', 'asterisk')
    .option('--json', 'print the checks as one JSON document')
    .action(async (options: { config?: string; profile?: string; native?: boolean; user: string; json?: boolean }) => {
      const { runDoctor } = await import('./doctor.ts');
      process.exitCode = await runDoctor({ configPath: options.config, profile: options.profile, nativeOnly: options.native === true, env, user: options.user, json: options.json === true });
    });

  program
    .command('call')
    .description('run one call on this process\'s stdin/stdout/fd 3 (what EAGI(voicebot,<profile>) does)')
    .argument('[profile]', 'profile section of voicebot.conf')
    .addOption(new Option('-c, --config <file>', 'voicebot.conf to use'))
    .action(async (profile: string | undefined, options: { config?: string }) => {
      // Asterisk gives a call a pipe on stdin; a terminal means a person typed the command.
      if (process.stdin.isTTY === true) {
        process.stderr.write(CALL_BY_HAND);
        process.exitCode = EXIT_USAGE;
        return;
      }
      const { runCallEntry } = await import('../call/entry.ts');
      process.exitCode = await runCallEntry({ profile, configPath: options.config, env });
    });

  program
    .command('serve')
    .description('run calls over Asterisk ARI, one process for many calls (dialplan: Stasis(voicebot,<profile>)); models load once')
    .addOption(new Option('-c, --config <file>', 'voicebot.conf to use (default: $VOICEBOT_CONFIG or /etc/asterisk/voicebot.conf)'))
    .action(async (options: { config?: string }) => {
      const { runServe } = await import('../serve/serve.ts');
      process.exitCode = await runServe({ configPath: options.config, env });
    });

  registerSimulate(program, env);
  registerCalls(program, env);
  registerBench(program, env);
  return program;
}
