import type { Config, KeyName } from '../config/keys/index.ts';
import { loadConfig, type LoadedConfig, type ValueSource } from '../config/load.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import { checkPromptFile } from '../llm/prompt.ts';
import { checkNativeLibraries, fail, pass } from '../runtime/native-check.ts';
import { checkSileroVad } from '../vad/self-check.ts';
import { currentAccount, lookupAccount } from './doctor-access.ts';
import { checkAgiBin, checkConfigReadable, checkPaths, warn, withAccess, type AccessContext, type DoctorResult } from './doctor-checks.ts';
import { VERSION } from './version.ts';

export interface DoctorOptions {
  configPath: string | undefined;
  profile: string | undefined;
  nativeOnly: boolean;
  env: NodeJS.ProcessEnv;
  /** The account Asterisk runs voicebot as (default: asterisk); access is checked for it too. */
  user?: string | undefined;
  /** Compared with the installed binary's --version (default: this program's version). */
  version?: string | undefined;
}

/**
 * Runs every check, prints one line per check (PASS, WARN or FAIL, then the fix on the next line),
 * returns 1 when any failed. Checks [general] and every profile (or only `profile`).
 */
export async function runDoctor(options: DoctorOptions): Promise<number> {
  const results: DoctorResult[] = [];
  const report = (result: DoctorResult) => {
    results.push(result);
    printResult(result);
  };
  for (const result of checkNativeLibraries()) report(result);
  const vad = checkSileroVad();
  report(vad.ok ? pass('native Silero VAD', vad.detail) : fail('native Silero VAD', vad.detail, 'reinstall voicebot (the model ships inside it), or set vad = energy in voicebot.conf'));
  if (!options.nativeOnly) await checkSetup(options, report);
  const failed = results.filter((result) => !result.ok).length;
  const warned = results.filter((result) => result.warning === true).length;
  process.stdout.write(`${results.length - failed} passed, ${failed} failed${warned > 0 ? ` (${warned} with a warning)` : ''}\n`);
  return failed === 0 ? 0 : 1;
}

async function checkSetup(options: DoctorOptions, report: (result: DoctorResult) => void): Promise<void> {
  const access = accessContext(options.user ?? 'asterisk', report);
  let loaded: LoadedConfig;
  let general: Config;
  try {
    loaded = loadConfig({ path: options.configPath, env: options.env });
    general = loaded.resolve(options.profile);
  } catch (error) {
    report(fail('config', errorMessage(error), 'see the message above; every key is documented in etc-asterisk/voicebot.conf'));
    return;
  }
  if (loaded.exists) {
    const profiles = loaded.profiles.length > 0 ? `profiles: ${loaded.profiles.join(', ')}` : 'no profiles';
    report(pass('config', `${loaded.file} (${profiles})`));
    const readable = checkConfigReadable(loaded.file, access);
    if (readable !== undefined) report(readable);
  } else {
    report(fail('config', `${loaded.file} does not exist; built-in defaults apply`,
      'run make install, or copy etc-asterisk/voicebot.conf to /etc/asterisk/ and edit it'));
  }

  for (const result of checkPaths(general, access)) {
    report(result.name === 'asterisk agi-bin' ? checkAgiBin(general.agi_bin_dir, access, options.version ?? VERSION) : result);
  }

  const targets = options.profile !== undefined ? [options.profile] : ['', ...loaded.profiles];
  const ollamaTargets = new Map<string, { host: string; model: string }>();
  for (const profile of targets) {
    const label = profile === '' ? '' : `[${profile}] `;
    let config: Config;
    try {
      config = loaded.resolve(profile);
    } catch (error) {
      report(fail(`${label}profile`, errorMessage(error), 'see the message above'));
      continue;
    }
    const sources = loaded.sources(profile);
    if (profile !== '' && profile !== options.profile) {
      for (const result of checkPaths(config, access)) {
        if (['vosk model', 'piper voice'].includes(result.name) && differs(config, general, result.name)) report({ ...result, name: `${label}${result.name}` });
      }
    }
    const prompt = checkPromptFile(config.llm_prompt_file, where(sources, 'llm_prompt_file', loaded.file));
    report(labelled(label, config.llm_prompt_file === '' ? prompt : withAccess(prompt, access, [[config.llm_prompt_file, 'r']], 'llm_prompt_file')));
    report(labelled(label, await checkLlmSettings(config, loaded.file, sources)));
    ollamaTargets.set(`${config.ollama_host} ${config.ollama_model}`, { host: config.ollama_host, model: config.ollama_model });
  }
  const { checkOllama } = await import('../llm/health.ts');
  for (const { host, model } of ollamaTargets.values()) report(await checkOllama(host, model, { timeoutMs: 3000 }));
}

function accessContext(user: string, report: (result: DoctorResult) => void): AccessContext {
  const self = currentAccount();
  const asterisk = lookupAccount(user);
  if (asterisk === undefined) {
    report(warn('asterisk user', `user '${user}' does not exist here: file access was checked for ${self.name} only, not as Asterisk`,
      `install Asterisk, or pass --user <the account Asterisk runs as: runuser in asterisk.conf>`));
  } else if (asterisk.uid === self.uid) {
    report(pass('asterisk user', `running as ${user} (uid ${asterisk.uid}): access checked directly`));
  } else {
    report(pass('asterisk user', `${user} (uid ${asterisk.uid}): access also checked as ${user} from owners and modes (ACLs not read)`));
  }
  return { self, asterisk };
}

/** Transfer destinations and time zone: the checks a call makes when it builds its LLM settings. */
async function checkLlmSettings(config: Config, file: string, sources: Record<KeyName, ValueSource>): Promise<DoctorResult> {
  const { llmSettingsFrom } = await import('../llm/settings.ts');
  try {
    const settings = llmSettingsFrom(config, file);
    const names = settings.destinations.map((d) => `${d.name}->${d.target}`).join(', ');
    return pass('llm settings', `model ${settings.model}; transfers: ${names || 'none'}`);
  } catch (error) {
    if (error instanceof ConfigError && error.key !== undefined && error.key in sources) {
      const at = where(sources, error.key as KeyName, file);
      return fail('llm settings', `${at}: key '${error.key}': ${errorMessage(error).replace(/^.*?key '[^']*': /, '').replace(/\. Fix: .*$/s, '')}`,
        errorMessage(error).replace(/^.*\. Fix: /s, ''));
    }
    return fail('llm settings', errorMessage(error), 'see the message above');
  }
}

function where(sources: Record<KeyName, ValueSource>, key: KeyName, file: string): string {
  const source = sources[key];
  return source === 'default' ? `${file} (default)` : source;
}

function differs(config: Config, general: Config, checkName: string): boolean {
  return checkName === 'vosk model' ? config.vosk_model_dir !== general.vosk_model_dir
    : config.piper_voice !== general.piper_voice || config.voice_engine !== general.voice_engine;
}

function labelled(label: string, result: DoctorResult): DoctorResult {
  return { ...result, name: `${label}${result.name}` };
}

function printResult(result: DoctorResult): void {
  const status = !result.ok ? 'FAIL' : result.warning === true ? 'WARN' : 'PASS';
  const fix = status === 'PASS' ? '' : `\n      fix: ${result.fix}`;
  process.stdout.write(`${status}  ${result.name.padEnd(24)} ${result.detail}${fix}\n`);
}
