import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { startFakeAri, type FakeAri } from '../../../src/simulate/ari/fake-ari.ts';
import { testCallConfig } from '../../support/call-config.ts';
import { mainTs, nodeBin } from '../../support/paths.ts';

export const ARI_USER = 'voicebot';
export const ARI_PASSWORD = 'secret-ari-pw-4711';

/** A short call's settings for serve tests: the energy detector (buzz callers), a tiny greeting, no filler. */
export const SERVE_CALL_SETTINGS: Record<string, string | number> = {
  greeting: 'Hi.', vad: 'energy', speech_end_ms: 400, speech_pause_ms: 400, filler_after_ms: 0, db_flush_timeout_ms: 1000,
  log_stderr: 'no', serve_health_interval_seconds: 0,
};

export interface ServeProcess {
  child: ChildProcess;
  dir: string;
  dbPath: string;
  logFile: string;
  log(): string;
  /** Resolves once the log shows `text` (regexp), or rejects after `timeoutMs`. */
  until(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal` and resolves the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startFakeAsterisk(): Promise<FakeAri> {
  return startFakeAri({ username: ARI_USER, password: ARI_PASSWORD, mediaConnectTimeoutMs: 5000, shutdownSocketEndMs: 300 });
}

/** `voicebot serve` from source as a real process, attached to `fake`, with test engines. */
export async function startServe(options: { fake: FakeAri; ollamaHost: string; extra?: Record<string, string | number>; sections?: string }): Promise<ServeProcess> {
  const { dir, configPath, dbPath, logFile } = testCallConfig({
    ollamaHost: options.ollamaHost,
    extra: { ...SERVE_CALL_SETTINGS, ari_url: options.fake.url, ari_username: ARI_USER, ari_password: ARI_PASSWORD, ...options.extra },
    ...(options.sections === undefined ? {} : { sections: options.sections }),
  });
  const child = spawn(nodeBin, [mainTs, 'serve', '--config', configPath], {
    env: { PATH: process.env['PATH'], HOME: dir, VOICEBOT_LOG_STDERR: 'no' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const log = () => `${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}${stderr === '' ? '' : `\n[stderr]\n${stderr}`}`;
  const until = async (pattern: RegExp, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(log())) {
      if (child.exitCode !== null) throw new Error(`voicebot serve exited (${child.exitCode}) before ${pattern}\n${log()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const serve = { child, dir, dbPath, logFile, log, until, stop };
  await until(/events connected/);
  return serve;
}

export { readStore } from '../../faults/support/call.ts';
