import type { Command } from 'commander';

/** Registers `voicebot simulate` (owned by the AGI/fake-Asterisk work). */
export function registerSimulate(_program: Command, _env: NodeJS.ProcessEnv): void {
  // Filled in by the protocol issue.
}
