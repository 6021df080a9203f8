import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config/keys/index.ts';
import { errorMessage } from '../errors.ts';
import { fail, pass, type CheckResult } from '../runtime/native-check.ts';
import { pathProblem } from '../runtime/path-check.ts';
import { checkEspeakData, checkPiperVoice, checkVoskModel } from '../call/setup-checks.ts';
import { checkEspeakProgram } from '../tts/espeak-test-voice.ts';
import { accessAs, accessFix, type Account, type Want } from './doctor-access.ts';

/** A doctor line: PASS, FAIL, or WARN (ok but worth a look; does not fail the run). */
export interface DoctorResult extends CheckResult {
  warning?: boolean;
}

export function warn(name: string, detail: string, fix: string): DoctorResult {
  return { name, ok: true, warning: true, detail, fix };
}

/** Who the checks are made for: this process, and the account Asterisk runs voicebot as. */
export interface AccessContext {
  self: Account;
  /** undefined when that account does not exist here (only `self` is checked then). */
  asterisk: Account | undefined;
}

/** Model, voice, data and folder checks for one resolved config. Reads only; creates nothing. */
export function checkPaths(config: Config, access: AccessContext): DoctorResult[] {
  const results: DoctorResult[] = [
    withAccess(checkVoskModel(config.vosk_model_dir), access, [[config.vosk_model_dir, 'rx'], [join(config.vosk_model_dir, 'am', 'final.mdl'), 'r']], 'vosk_model_dir'),
  ];
  if (config.voice_engine === 'piper') {
    results.push(
      withAccess(checkPiperVoice(config.piper_voice), access, [[config.piper_voice, 'r'], [`${config.piper_voice}.json`, 'r']], 'piper_voice'),
      withAccess(checkEspeakData(config.espeak_data_dir), access, [[config.espeak_data_dir, 'rx'], [join(config.espeak_data_dir, 'phontab'), 'r']], 'espeak_data_dir'),
    );
  } else {
    if (config.voice_engine === 'test-espeak') {
      const program = checkEspeakProgram();
      if (!program.ok) results.push(program);
    }
    const sound = config.voice_engine === 'test-espeak' ? 'speaks with espeak-ng instead of the Piper voice' : 'beeps instead of speaking';
    results.push(warn('voice', `voice_engine = ${config.voice_engine}: a TEST ENGINE that ${sound}`, 'set voice_engine = piper on a live line'));
  }
  results.push(
    checkDatabase(config.db_path, access),
    checkWritable('log file', config.log_file, 'log_file', access, 'file'),
    checkWritable('cache folder', config.cache_dir, 'cache_dir', access, 'dir'),
    checkAgiBin(config.agi_bin_dir, access),
  );
  return results;
}

/** The config file itself must be readable by the Asterisk user (it is read at every call). */
export function checkConfigReadable(file: string, access: AccessContext): DoctorResult | undefined {
  const verdict = access.asterisk === undefined ? { ok: true as const } : accessAs(access.asterisk, file, 'r');
  if (verdict.ok || access.asterisk === undefined) return undefined;
  return fail('config access', verdict.problem, accessFix(verdict, access.asterisk, `chgrp ${groupHint(access)} ${file} && chmod 0640 ${file}`));
}

/** Adds "as the Asterisk user" access checks to a passing check. */
export function withAccess(result: CheckResult, access: AccessContext, paths: [string, Want][], key: string): DoctorResult {
  if (!result.ok || access.asterisk === undefined) return result;
  for (const [path, want] of paths) {
    const verdict = accessAs(access.asterisk, path, want);
    if (!verdict.ok) {
      return fail(result.name, verdict.problem, accessFix(verdict, access.asterisk,
        `let the Asterisk user read it: chgrp -R ${groupHint(access)} ${verdict.fixPath} && chmod -R g+rX ${verdict.fixPath} (or set ${key})`));
    }
  }
  return pass(result.name, `${result.detail}${asUser(access, 'can read it')}`);
}

/** SQLite writes the file and creates -wal/-shm files beside it: both need write access. */
function checkDatabase(path: string, access: AccessContext): DoctorResult {
  const name = 'database';
  const dir = dirname(path);
  if (!existsSync(dir)) return fail(name, `folder ${dir} does not exist`, 'run make install (creates it for the Asterisk user), or set db_path');
  const self = selfAccess(existsSync(path) ? path : dir, existsSync(path) ? constants.R_OK | constants.W_OK : constants.W_OK | constants.X_OK);
  if (self !== undefined) return fail(name, `${path}: ${self}`, `give the Asterisk user write access (chown asterisk: ${dir}), or set db_path`);
  if (access.asterisk !== undefined) {
    for (const [target, want] of [[dir, 'wx'], ...(existsSync(path) ? [[path, 'rw']] : [])] as [string, Want][]) {
      const verdict = accessAs(access.asterisk, target, want);
      if (!verdict.ok) {
        return fail(name, `${verdict.problem}; SQLite needs to write ${path} and create ${path}-wal beside it`,
          accessFix(verdict, access.asterisk, `chown ${access.asterisk.name}: ${dir}${existsSync(path) ? ` ${path}` : ''} && chmod 0750 ${dir}`));
      }
    }
  }
  return pass(name, `${path} ${existsSync(path) ? 'is writable' : 'can be created'}${asUser(access, 'can write it and its folder')}`);
}

/** A file or folder voicebot writes (created on first use when its parent allows). */
export function checkWritable(name: string, path: string, key: string, access: AccessContext, kind: 'file' | 'dir'): DoctorResult {
  const unfit = pathProblem(path, { kind: kind === 'dir' ? 'folder' : 'file', mayBeMissing: true });
  if (unfit !== undefined) return fail(name, unfit, `point ${key} at a ${kind === 'dir' ? 'folder' : 'regular file'}`);
  const exists = existsSync(path);
  if (!exists && !existsSync(dirname(path))) {
    return fail(name, `folder ${dirname(path)} does not exist`, `run make install (creates it for the Asterisk user), or set ${key}`);
  }
  const self = exists ? selfAccess(path, kind === 'dir' ? constants.W_OK | constants.X_OK : constants.W_OK) : selfAccess(dirname(path), constants.W_OK | constants.X_OK);
  if (self !== undefined) return fail(name, `${path}: ${self}`, `give the Asterisk user write access (chown asterisk: ${exists ? path : dirname(path)}), or set ${key}`);
  if (access.asterisk !== undefined) {
    const verdict = accessAs(access.asterisk, path, kind === 'dir' ? 'rwx' : 'w');
    if (!verdict.ok) return fail(name, verdict.problem, accessFix(verdict, access.asterisk, `chown ${access.asterisk.name}: ${verdict.fixPath} (make install sets this up), or set ${key}`));
  }
  return pass(name, `${path} ${exists ? 'is writable' : 'can be created'}${asUser(access, 'can write it')}`);
}

/** The installed binary: present, executable by Asterisk, and the same version as this doctor. */
export function checkAgiBin(dir: string, access: AccessContext, expectedVersion?: string): DoctorResult {
  const name = 'asterisk agi-bin';
  if (!existsSync(dir)) return fail(name, `${dir} does not exist`, 'install Asterisk, or set agi_bin_dir to its astagidir (asterisk.conf)');
  const binary = join(dir, 'voicebot');
  try {
    if (!statSync(binary).isFile()) return fail(name, `${binary} is not a file`, 'run make install');
    accessSync(binary, constants.X_OK);
  } catch {
    return fail(name, `${binary} is missing or not executable`, 'run make install (copies dist/voicebot there); AGISTATUS=FAILURE in the dialplan means this');
  }
  if (access.asterisk !== undefined) {
    const verdict = accessAs(access.asterisk, binary, 'rx');
    if (!verdict.ok) return fail(name, verdict.problem, accessFix(verdict, access.asterisk, `chmod 0755 ${binary}`));
  }
  if (expectedVersion !== undefined) {
    let version: string;
    try {
      version = execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000, env: { PATH: process.env['PATH'] } }).trim();
    } catch (error) {
      return fail(name, `${binary} does not run: ${errorMessage(error).split('\n')[0]}`, 'rebuild and reinstall: make install');
    }
    if (version !== expectedVersion) {
      return warn(name, `${binary} is version ${version || '(none)'}, this doctor is ${expectedVersion}`, 'run make install to install this version');
    }
  }
  return pass(name, `${binary} is installed and executable${asUser(access, 'can run it')}`);
}

function selfAccess(path: string, mode: number): string | undefined {
  try {
    accessSync(path, mode);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}

function asUser(access: AccessContext, what: string): string {
  if (access.asterisk === undefined || access.asterisk.uid === access.self.uid) return '';
  return `; ${access.asterisk.name} ${what}`;
}

function groupHint(access: AccessContext): string {
  return access.asterisk?.name ?? 'asterisk';
}
