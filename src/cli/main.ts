#!/usr/bin/env node
// Asterisk signals a local EAGI hangup with SIGHUP, and Node's default action for it is to die.
// Static imports are all evaluated before this file's body runs, so only the latch is imported
// statically; everything else loads after the handler is in place.
import { hangupSignal } from '../runtime/hangup-signal.ts';

// Under Asterisk (AST_AGI_DIR set) SIGTERM/SIGINT also end the call like a hangup.
hangupSignal.install({ latchTermination: process.env['AST_AGI_DIR'] !== undefined });

import('./program.ts').then(({ runCli }) => runCli(process.argv.slice(2), process.env)).then(
  (exitCode) => { process.exitCode = exitCode; },
  (error: unknown) => {
    process.stderr.write(`voicebot: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 70;
  },
);
