#!/usr/bin/env node
// Asterisk signals a local EAGI hangup with SIGHUP, and Node's default action for it is to die.
// Static imports are all evaluated before this file's body runs, so only the latch is imported
// statically; everything else loads after the handler is in place.
import { hangupSignal } from '../runtime/hangup-signal.ts';

// Under Asterisk (AST_AGI_DIR set, as Asterisk sets for every AGI) SIGTERM/SIGINT also end the
// call like a hangup, and every argument is the profile, never a subcommand.
const underAsterisk = process.env['AST_AGI_DIR'] !== undefined;
hangupSignal.install({ latchTermination: underAsterisk });

const args = process.argv.slice(2);

/**
 * The call path and `--version` load only what they need: the command-line parser (commander and
 * every subcommand) costs a call tens of ms before its greeting (bench/call-start.ts).
 */
async function run(): Promise<number> {
  if (underAsterisk) {
    const { runCallEntry } = await import('../call/entry.ts');
    return runCallEntry({ profile: args[0], configPath: undefined, env: process.env });
  }
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    const { VERSION } = await import('./version.ts');
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const { runCli } = await import('./program.ts');
  return runCli(args, process.env);
}

run().then(
  (exitCode) => { process.exitCode = exitCode; },
  (error: unknown) => {
    process.stderr.write(`voicebot: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 70;
  },
);
