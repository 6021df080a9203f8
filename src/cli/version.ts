import packageJson from '../../package.json' with { type: 'json' };

/** This voicebot's version, as `--version` prints it and `doctor` compares it with the installed copy. */
export const VERSION: string = packageJson.version;
