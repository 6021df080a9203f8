import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config/keys/index.ts';
import { errorMessage } from '../errors.ts';
import { fail, pass, type CheckResult } from '../runtime/native-check.ts';
import { checkEspeakData, checkPiperVoice, checkVoskModel } from '../runtime/setup-checks.ts';

/** Model, voice, data and folder checks for one resolved profile. Pure file-system reads. */
export function checkPaths(config: Config): CheckResult[] {
  return [
    checkVoskModel(config.vosk_model_dir),
    checkPiperVoice(config.piper_voice),
    checkEspeakData(config.espeak_data_dir),
    checkWritableFile('database', config.db_path, 'db_path'),
    checkWritableFile('log file', config.log_file, 'log_file'),
    checkWritableDir('cache folder', config.cache_dir, 'cache_dir'),
    checkAgiBin(config.agi_bin_dir),
  ];
}

/** A file that must be creatable or writable (its folder is created if missing, as install would). */
export function checkWritableFile(name: string, path: string, key: string): CheckResult {
  try {
    if (existsSync(path)) {
      accessSync(path, constants.W_OK);
      return pass(name, `${path} is writable`);
    }
    const dir = dirname(path);
    if (!existsSync(dir)) return fail(name, `folder ${dir} does not exist`, `run make install (creates it for the Asterisk user), or set ${key}`);
    accessSync(dir, constants.W_OK);
    return pass(name, `${path} can be created`);
  } catch (error) {
    return fail(name, `${path}: ${errorMessage(error)}`, `give the Asterisk user write access (chown asterisk: ${dirname(path)}), or set ${key}`);
  }
}

function checkWritableDir(name: string, dir: string, key: string): CheckResult {
  try {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o750 });
    accessSync(dir, constants.W_OK);
    return pass(name, `${dir} is writable`);
  } catch (error) {
    return fail(name, `${dir}: ${errorMessage(error)}`, `run make install, or set ${key} to a folder the Asterisk user can write`);
  }
}

export function checkAgiBin(dir: string): CheckResult {
  const name = 'asterisk agi-bin';
  if (!existsSync(dir)) return fail(name, `${dir} does not exist`, 'install Asterisk, or set agi_bin_dir to its astagidir (asterisk.conf)');
  const binary = join(dir, 'voicebot');
  try {
    if (!statSync(binary).isFile()) return fail(name, `${binary} is not a file`, 'run make install');
    accessSync(binary, constants.X_OK);
    return pass(name, `${binary} is installed and executable`);
  } catch {
    return fail(name, `${binary} is missing or not executable`, 'run make install (copies dist/voicebot there)');
  }
}
