import { errorMessage } from '../errors.ts';

export interface CallEntryOptions {
  /** Profile from EAGI(voicebot,<profile>); undefined = [general] only. */
  profile: string | undefined;
  configPath: string | undefined;
  env: NodeJS.ProcessEnv;
}

/**
 * Entry point of one call (one process per call, started by Asterisk). Returns the exit code.
 * The protocol and call-loop issues fill this in; for now it only validates the config so that a
 * broken setup is reported on stderr (Asterisk's console) rather than silently ignored.
 */
export async function runCallEntry(options: CallEntryOptions): Promise<number> {
  try {
    const { loadConfig } = await import('../config/load.ts');
    const loaded = loadConfig({ path: options.configPath, env: options.env });
    loaded.resolve(options.profile);
    return 0;
  } catch (error) {
    process.stderr.write(`voicebot: ${errorMessage(error)}\n`);
    return 0;
  }
}
