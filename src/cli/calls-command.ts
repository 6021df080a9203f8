import type { Command } from 'commander';

/** Registers `voicebot calls` (owned by the store work). */
export function registerCalls(_program: Command, _env: NodeJS.ProcessEnv): void {
  // Filled in by the store issue.
}
