#!/usr/bin/env node
// Asterisk signals a local EAGI hangup with SIGHUP, and Node's default action for it is to die:
// the handler goes in before anything else can run, and the call session takes it over.
import { hangupSignal } from '../runtime/hangup-signal.ts';
import { runCli } from './program.ts';

hangupSignal.install();

runCli(process.argv.slice(2), process.env).then(
  (exitCode) => { process.exitCode = exitCode; },
  (error: unknown) => {
    process.stderr.write(`voicebot: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 70;
  },
);
