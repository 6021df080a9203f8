import { readFileSync, statSync } from 'node:fs';
import type { Config } from '../config/keys/index.ts';
import { ConfigError } from '../errors.ts';

/** What `voicebot serve` needs to reach Asterisk; `password` is never logged or put in a URL. */
export interface ServeSettings {
  /** One entry per Asterisk (ari_url), without a trailing slash. */
  urls: readonly string[];
  username: string;
  password: string;
  app: string;
  mediaFormat: 'slin16' | 'slin' | 'ulaw';
  timeoutMs: number;
  healthIntervalMs: number;
  /** Problems worth a warning (a password file others can read). */
  warnings: readonly string[];
}

export function serveSettings(config: Config, configFile: string): ServeSettings {
  const warnings: string[] = [];
  const urls = config.ari_url.map((url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError('CONFIG_ARI_URL', { file: configFile, key: 'ari_url' }, `'${url}' is not a URL`, 'write http://<host>:<port> of Asterisk\'s http.conf (e.g. http://127.0.0.1:8088)');
    }
    if (parsed.protocol !== 'http:' || parsed.username !== '' || parsed.password !== '') {
      throw new ConfigError('CONFIG_ARI_URL', { file: configFile, key: 'ari_url' }, `'${parsed.protocol}//${parsed.host}' is not a plain http:// URL`,
        'use http://<host>:<port>; credentials go in ari_username and ari_password_file, never in the URL');
    }
    return `${parsed.protocol}//${parsed.host}`;
  });
  if (urls.length === 0) throw new ConfigError('CONFIG_ARI_URL', { file: configFile, key: 'ari_url' }, 'no Asterisk to attach to', 'set ari_url = http://127.0.0.1:8088');
  return {
    urls, username: config.ari_username, password: ariPassword(config, configFile, warnings), app: config.ari_app,
    mediaFormat: config.ari_media_format, timeoutMs: config.ari_timeout_ms, healthIntervalMs: config.serve_health_interval_seconds * 1000, warnings,
  };
}

function ariPassword(config: Config, configFile: string, warnings: string[]): string {
  if (config.ari_password !== '') return config.ari_password;
  const file = config.ari_password_file;
  if (file === '') {
    throw new ConfigError('CONFIG_ARI_PASSWORD', { file: configFile, key: 'ari_password_file' }, 'no ARI password is set',
      'write the password of ari.conf\'s [voicebot] user to a file only the service can read (install -m 0600 -o asterisk) and set ari_password_file to it');
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('CONFIG_ARI_PASSWORD', { file: configFile, key: 'ari_password_file' }, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      'create it with the ARI password on its first line, readable by the service user (mode 0600)');
  }
  const password = text.split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (password === '') throw new ConfigError('CONFIG_ARI_PASSWORD', { file: configFile, key: 'ari_password_file' }, `${file} is empty`, 'put the ARI password on its first line');
  if ((statSync(file).mode & 0o077) !== 0) warnings.push(`${file} can be read by other users: chmod 0600 ${file}`);
  return password;
}
