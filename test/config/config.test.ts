import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

function writeConf(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-conf-'));
  const file = join(dir, 'voicebot.conf');
  writeFileSync(file, text);
  return file;
}

test('profile values overlay [general], which overlays the defaults', () => {
  const file = writeConf('[general]\nollama_model = base:1b ; comment\ndb_path = calls.db\n\n[sales]\nollama_model = big:8b\n');
  const loaded = loadConfig({ path: file, env: {} });
  assert.deepEqual(loaded.profiles, ['sales']);
  assert.equal(loaded.resolve().ollama_model, 'base:1b');
  assert.equal(loaded.resolve('sales').ollama_model, 'big:8b');
  assert.equal(loaded.resolve('sales').db_path, join(file, '..', 'calls.db'), 'relative paths resolve beside the file');
  assert.equal(loaded.resolve().greeting, 'Hello, how can I help you?');
});

test('an unknown key names the file, line, key and a did-you-mean fix', () => {
  const file = writeConf('[general]\n\nollama_modle = x\n');
  assert.throws(() => loadConfig({ path: file, env: {} }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, 'CONFIG_UNKNOWN_KEY');
    assert.equal(error.line, 3);
    assert.match(error.message, new RegExp(`${file}:3: key 'ollama_modle'`));
    assert.match(error.message, /did you mean 'ollama_model'/);
    return true;
  });
});

test('env overrides beat the file and bad env values name the variable', () => {
  const file = writeConf('[general]\nollama_host = http://a:1\n');
  assert.equal(loadConfig({ path: file, env: { OLLAMA_HOST: 'http://b:2' } }).resolve().ollama_host, 'http://b:2');
  assert.equal(loadConfig({ path: file, env: { OLLAMA_HOST: 'http://b:2', VOICEBOT_OLLAMA_HOST: 'http://c:3' } }).resolve().ollama_host, 'http://c:3');
  assert.throws(() => loadConfig({ path: file, env: { VOICEBOT_REDACT_TRANSCRIPTS: 'maybe' } }).resolve(),
    /VOICEBOT_REDACT_TRANSCRIPTS.*not yes\/no/);
});

test('a general-only key in a profile, a bad value and an unknown profile are errors with fixes', () => {
  assert.throws(() => loadConfig({ path: writeConf('[sales]\ndb_path = /x\n'), env: {} }), /move it to \[general\]/);
  assert.throws(() => loadConfig({ path: writeConf('[general]\nlog_level = loud\n'), env: {} }), /:2: key 'log_level': 'loud' is not one of debug, info, warn, error/);
  const loaded = loadConfig({ path: writeConf('[general]\n[sales]\n[support]\n'), env: {} });
  assert.throws(() => loaded.resolve('sale'), /did you mean EAGI\(voicebot,sales\)/);
});

test('an explicit missing file is an error; the default path may be absent', () => {
  assert.throws(() => loadConfig({ path: '/nonexistent/voicebot.conf', env: {} }), (error: unknown) =>
    error instanceof ConfigError && error.code === 'CONFIG_MISSING');
  const loaded = loadConfig({ env: {} });
  assert.equal(typeof loaded.resolve().db_path, 'string');
});

test('syntax: settings before a section, #include and block comments', () => {
  assert.throws(() => loadConfig({ path: writeConf('greeting = hi\n'), env: {} }), /setting before any section/);
  assert.throws(() => loadConfig({ path: writeConf('#include other.conf\n'), env: {} }), /not supported/);
  const file = writeConf('[general]\n;-- greeting = no\nstill comment --;\ngreeting = Hi\\; there\n');
  assert.equal(loadConfig({ path: file, env: {} }).resolve().greeting, 'Hi; there');
});

test('DTMF keys are one key STREAM FILE accepts as an escape digit', () => {
  const file = writeConf('[general]\ndtmf_operator_key = 00\n');
  assert.throws(() => loadConfig({ path: file, env: {} }), /key 'dtmf_operator_key': '00' is not one key: 0-9, \* or #/);
  assert.throws(() => loadConfig({ path: writeConf('[general]\ndtmf_skip_key = A\n'), env: {} }), /dtmf_skip_key/);
  assert.equal(loadConfig({ path: writeConf('[general]\ndtmf_skip_key =\n'), env: {} }).resolve().dtmf_skip_key, '');
});
