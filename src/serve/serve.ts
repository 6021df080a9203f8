import { join, dirname } from 'node:path';
import type { Config } from '../config/keys/index.ts';
import { loadConfig, type LoadedConfig } from '../config/load.ts';
import { errorCode, errorMessage } from '../errors.ts';
import { Logger } from '../log.ts';
import { hangupSignal } from '../runtime/hangup-signal.ts';
import { AsteriskLink } from './asterisk-link.ts';
import type { ProfileSettings } from './served-call.ts';
import { serveSettings, type ServeSettings } from './settings.ts';
import { ServeEngines } from './shared-engines.ts';

export interface ServeOptions {
  configPath: string | undefined;
  env: NodeJS.ProcessEnv;
}

/** How long SIGTERM waits for calls to be handed back before the process exits anyway. */
const STOP_DEADLINE_MS = 10_000;

/**
 * `voicebot serve`: one long-running process for the calls of one or more Asterisk servers over
 * ARI (dialplan Stasis(voicebot,<profile>)). Models load once; each call gets its own session,
 * detector and recognizer. SIGTERM/SIGINT hand every call back to the dialplan and exit 0; a
 * second one exits at once. SIGHUP re-reads voicebot.conf for the calls that start after it.
 */
export async function runServe(options: ServeOptions): Promise<number> {
  let loaded: LoadedConfig;
  let general: Config;
  let settings: ServeSettings;
  try {
    loaded = loadConfig({ path: options.configPath, env: options.env });
    general = loaded.resolve();
    settings = serveSettings(general, loaded.file);
  } catch (error) {
    process.stderr.write(`voicebot serve: ${errorMessage(error)}\n`);
    return 1;
  }
  const log = new Logger({
    filePath: general.log_file, fallbackFilePath: join(dirname(general.db_path), 'voicebot-fallback.log'),
    // A service's stderr goes to the journal: on unless log_stderr = no.
    stderr: general.log_stderr !== 'no', level: general.log_level, redactTranscripts: general.redact_transcripts,
  });
  for (const warning of settings.warnings) log.warn('ARI', warning);
  const profiles = new ProfileCache(loaded);
  const engines = new ServeEngines();
  const links = settings.urls.map((baseUrl) => new AsteriskLink({ baseUrl, settings, profile: (name) => profiles.get(name), engines, log }));
  process.on('unhandledRejection', (reason) => {
    // One call's bug must not end the others.
    log.error('CALL', 'unhandled rejection', { code: errorCode(reason), error: reason instanceof Error ? reason.stack ?? reason.message : String(reason) });
  });
  log.info('ARI', 'voicebot serve started', { app: settings.app, asterisks: settings.urls.join(','), media: settings.mediaFormat, pid: process.pid });
  for (const link of links) link.start();
  const health = startHealth(log, links, engines, settings.healthIntervalMs);

  const stopped = Promise.withResolvers<void>();
  let stopping = false;
  const unsubscribe = hangupSignal.subscribe((signal) => {
    if (signal === 'SIGHUP') {
      profiles.reload(options, log);
      return;
    }
    if (stopping) process.exit(1);
    stopping = true;
    log.info('ARI', 'stopping: handing calls back to the dialplan', { signal, calls: links.reduce((n, link) => n + link.callCount, 0) });
    void Promise.all(links.map((link) => link.stop(STOP_DEADLINE_MS))).then(() => stopped.resolve());
  });
  await stopped.promise;
  unsubscribe();
  clearInterval(health);
  log.info('ARI', 'voicebot serve stopped');
  log.close();
  return 0;
}

/** Each profile's settings, resolved once per config load. */
class ProfileCache {
  #loaded: LoadedConfig;
  readonly #resolved = new Map<string, ProfileSettings>();

  constructor(loaded: LoadedConfig) {
    this.#loaded = loaded;
  }

  get(name: string | undefined): ProfileSettings {
    const key = name ?? '';
    let settings = this.#resolved.get(key);
    if (settings === undefined) {
      settings = this.#resolve(name);
      this.#resolved.set(key, settings);
    }
    return settings;
  }

  reload(options: ServeOptions, log: Logger): void {
    try {
      this.#loaded = loadConfig({ path: options.configPath, env: options.env });
      this.#resolved.clear();
      log.info('CONFIG', 'voicebot.conf re-read: new calls use it', { file: this.#loaded.file });
    } catch (error) {
      log.error('CONFIG', 'voicebot.conf not re-read: keeping the settings in force', { error: errorMessage(error) });
    }
  }

  #resolve(name: string | undefined): ProfileSettings {
    const loaded = this.#loaded;
    try {
      return { ok: true, config: loaded.resolve(name), configFile: loaded.file, sources: loaded.sources(name), tools: loaded.toolsFor(name) };
    } catch (error) {
      let fallback: Config | undefined;
      try { fallback = loaded.resolve(); } catch { fallback = undefined; }
      return { ok: false, problem: errorMessage(error), fallback };
    }
  }
}

/** The health line: calls, ARI connections, memory and CPU, overall and per call. */
function startHealth(log: Logger, links: readonly AsteriskLink[], engines: ServeEngines, intervalMs: number): NodeJS.Timeout | undefined {
  if (intervalMs <= 0) return undefined;
  let lastCpu = process.cpuUsage();
  let lastAtMs = performance.now();
  // Memory with no call up (models stay loaded once a call loaded them): the base of the per-call figure.
  let idleRssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  const timer = setInterval(() => {
    const cpu = process.cpuUsage(lastCpu);
    const nowMs = performance.now();
    const cpuPct = ((cpu.user + cpu.system) / 1000 / (nowMs - lastAtMs)) * 100;
    lastCpu = process.cpuUsage();
    lastAtMs = nowMs;
    const calls = links.reduce((n, link) => n + link.callCount, 0);
    const memory = process.memoryUsage();
    const rssMb = Math.round(memory.rss / 2 ** 20);
    if (calls === 0) idleRssMb = rssMb;
    log.info('ARI', 'health', {
      calls, asterisksUp: `${links.filter((link) => link.connected).length}/${links.length}`,
      rssMb, rssMbPerCall: calls === 0 ? 0 : Math.round((rssMb - idleRssMb) / calls), heapMb: Math.round(memory.heapUsed / 2 ** 20),
      cpuPct: Math.round(cpuPct), cpuPctPerCall: calls === 0 ? 0 : Math.round(cpuPct / calls),
      models: engines.counts.models, voices: engines.counts.voices,
    });
  }, intervalMs);
  timer.unref();
  return timer;
}
