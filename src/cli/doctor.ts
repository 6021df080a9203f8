import { loadConfig } from '../config/load.ts';
import { errorMessage } from '../errors.ts';
import { checkNativeLibraries, fail, pass, type CheckResult } from '../runtime/native-check.ts';
import { checkPaths } from './doctor-checks.ts';

export interface DoctorOptions {
  configPath: string | undefined;
  profile: string | undefined;
  nativeOnly: boolean;
  env: NodeJS.ProcessEnv;
}

/** Runs every check, prints one line per check, returns 1 when any failed. */
export async function runDoctor(options: DoctorOptions): Promise<number> {
  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    printResult(result);
  };
  for (const result of checkNativeLibraries()) report(result);
  if (!options.nativeOnly) await checkSetup(options, report);
  const failed = results.filter((result) => !result.ok).length;
  process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

async function checkSetup(options: DoctorOptions, report: (result: CheckResult) => void): Promise<void> {
  let config;
  try {
    const loaded = loadConfig({ path: options.configPath, env: options.env });
    config = loaded.resolve(options.profile);
    if (loaded.exists) {
      const profiles = loaded.profiles.length > 0 ? `profiles: ${loaded.profiles.join(', ')}` : 'no profiles';
      report(pass('config', `${loaded.file} (${profiles})`));
    } else {
      report(fail('config', `${loaded.file} does not exist; built-in defaults apply`,
        'run make install, or copy etc-asterisk/voicebot.conf to /etc/asterisk/ and edit it'));
    }
  } catch (error) {
    report(fail('config', errorMessage(error), 'see the message above; every key is documented in etc-asterisk/voicebot.conf'));
    return;
  }
  for (const result of checkPaths(config)) report(result);
  report(await checkOllamaReachable(config.ollama_host, config.ollama_model));
}

async function checkOllamaReachable(host: string, model: string): Promise<CheckResult> {
  const { checkOllama } = await import('../llm/health.ts');
  return checkOllama(host, model, { timeoutMs: 3000 });
}

function printResult(result: CheckResult): void {
  const status = result.ok ? 'PASS' : 'FAIL';
  const fix = result.ok ? '' : `\n      fix: ${result.fix}`;
  process.stdout.write(`${status}  ${result.name.padEnd(24)} ${result.detail}${fix}\n`);
}
