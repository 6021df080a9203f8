#!/usr/bin/env node
// Asterisk signals a local EAGI hangup with SIGHUP, and Node's default action for it is to die.
// Static imports are all evaluated before this file's body runs, so only the latch is imported
// statically; everything else loads after the handler is in place.
import { hangupSignal } from '../runtime/hangup-signal.ts';

hangupSignal.install();

import('./program.ts').then(({ runCli }) => runCli(process.argv.slice(2), process.env)).then(
  (exitCode) => { process.exitCode = exitCode; },
  (error: unknown) => {
    process.stderr.write(`voicebot: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 70;
  },
);
