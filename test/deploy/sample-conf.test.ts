import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { allKeys } from '../../src/config/keys/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { KeySpec } from '../../src/config/schema.ts';
import { llmSettingsFrom } from '../../src/llm/settings.ts';
import { checkPromptFile, PROMPT_VARIABLES } from '../../src/llm/prompt.ts';
import { formatValue, renderSampleConf, SAMPLE_CONF_PATH, unitOf } from '../../scripts/gen-sample-conf.ts';
import { repoRoot } from '../support/paths.ts';

const sampleText = readFileSync(SAMPLE_CONF_PATH, 'utf8');
const dialplan = readFileSync(join(repoRoot, 'etc-asterisk', 'extensions.conf'), 'utf8');

test('the committed sample voicebot.conf is what the generator makes from the current schema', () => {
  assert.ok(sampleText === renderSampleConf(),
    'etc-asterisk/voicebot.conf is out of date with src/config/keys: run `npx node scripts/gen-sample-conf.ts` and commit it');
});

test('every key of the schema is documented in the sample: doc, type, unit, default, scope and a commented default line', () => {
  const keys = Object.entries(allKeys) as [string, KeySpec][];
  assert.ok(keys.length >= 50, `the schema has ${keys.length} keys`);
  for (const [key, spec] of keys) {
    const block = new RegExp(`^; ${key}: (.+(?:\\n;   .*)*)\\n;${key} = (.*)$`, 'm').exec(sampleText);
    assert.ok(block !== null, `${key}: no "; ${key}: <doc>" block followed by ";${key} = <default>"`);
    const comment = block[1]?.replace(/\n; {3,5}/g, ' ') ?? '';
    assert.ok(comment.startsWith(spec.doc.split(/\s+/).slice(0, 4).join(' ')), `${key}: the comment starts with its doc`);
    assert.match(comment, /type: /, `${key}: type`);
    assert.ok(comment.includes(`default: ${formatValue(spec) === '' ? '(empty)' : formatValue(spec)}`), `${key}: default`);
    assert.match(comment, spec.scope === 'general' ? /only in \[general\]/ : /in \[general\] or a profile/, `${key}: scope`);
    const unit = unitOf(key);
    if (unit !== undefined) assert.ok(comment.includes(`unit: ${unit}`), `${key}: unit`);
    assert.equal(block[2], formatValue(spec), `${key}: the commented line holds the default`);
  }
  for (const key of ['speech_end_ms', 'max_call_seconds', 'speech_threshold_dbfs', 'llm_max_reply_tokens']) {
    assert.notEqual(unitOf(key), undefined, `${key} has a unit`);
  }
});

test('the sample parses with the real loader for [general] and every profile, with the built-in defaults', () => {
  const loaded = loadConfig({ path: SAMPLE_CONF_PATH, env: {} });
  assert.deepEqual(loaded.profiles, ['receptionist', 'orders']);
  const general = loaded.resolve();
  for (const [key, spec] of Object.entries(allKeys) as [string, KeySpec][]) {
    assert.deepEqual((general as Record<string, unknown>)[key], spec.default, `[general] leaves ${key} at its default`);
  }
  for (const profile of loaded.profiles) {
    const config = loaded.resolve(profile);
    assert.match(config.llm_prompt_file, new RegExp(`etc-asterisk/voicebot-prompts/${profile}\\.txt$`), 'the prompt path resolves beside the file');
    assert.equal(checkPromptFile(config.llm_prompt_file, loaded.sources(profile).llm_prompt_file).ok, true, `${profile}: prompt file loads`);
    const settings = llmSettingsFrom(config, loaded.file);
    assert.ok(settings.destinations.length >= 2, `${profile}: has transfer destinations`);
    assert.notEqual(config.greeting, general.greeting, `${profile}: its own greeting`);
  }
  assert.equal(loaded.resolve('orders').llm_temperature, 0.3);
});

test('the prompt files use the template variables, including {{destinations}}', () => {
  for (const profile of ['receptionist', 'orders']) {
    const text = readFileSync(join(repoRoot, 'etc-asterisk', 'voicebot-prompts', `${profile}.txt`), 'utf8');
    const used = [...text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]);
    for (const name of used) assert.ok((PROMPT_VARIABLES as readonly string[]).includes(name ?? ''), `${profile}: {{${name}}} is a known variable`);
    for (const name of ['destinations', 'caller_number', 'date', 'time']) assert.ok(used.includes(name), `${profile}: uses {{${name}}}`);
  }
});

/** Contexts of an extensions.conf, each as its lines (comments removed). */
function contexts(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*$/, '').trim();
    if (line === '') continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header !== null) {
      current = [];
      out.set(header[1] ?? '', current);
    } else {
      current?.push(line);
    }
  }
  return out;
}

test('every transfer target and operator_destination of the sample has an extension in [voicebot-transfer]', () => {
  const loaded = loadConfig({ path: SAMPLE_CONF_PATH, env: {} });
  const transfer = contexts(dialplan).get('voicebot-transfer');
  assert.ok(transfer !== undefined, '[voicebot-transfer] exists');
  const extensions = new Set(transfer.map((line) => /^exten\s*=>\s*([^,]+),1,/.exec(line)?.[1]).filter((x) => x !== undefined));
  for (const profile of loaded.profiles) {
    const config = loaded.resolve(profile);
    for (const { target } of llmSettingsFrom(config, loaded.file).destinations) assert.ok(extensions.has(target), `${profile}: target ${target} is dialled`);
    assert.ok(extensions.has(config.operator_destination), `${profile}: operator_destination ${config.operator_destination} is dialled`);
  }
});

test('the dialplan sets EAGI_AUDIO_FORMAT before EAGI, does not answer first, and branches on what voicebot returns', () => {
  const all = contexts(dialplan);
  for (const [name, profile] of [['voicebot-inbound', 'receptionist'], ['voicebot-orders', 'orders']] as const) {
    const lines = all.get(name) ?? [];
    const eagi = lines.findIndex((line) => line.includes(`EAGI(voicebot,${profile})`));
    const format = lines.findIndex((line) => line.includes('Set(EAGI_AUDIO_FORMAT=slin16)'));
    assert.ok(eagi > 0 && format >= 0 && format < eagi, `${name}: EAGI_AUDIO_FORMAT is set before EAGI`);
    assert.ok(!lines.slice(0, eagi).some((line) => line.includes('Answer(')), `${name}: no Answer() before EAGI (voicebot answers after its preflight)`);
    assert.ok(lines.some((line) => line.startsWith('exten => h,')), `${name}: has an h extension`);
  }
  const result = (all.get('voicebot-result') ?? []).join('\n');
  for (const needle of ['${AGISTATUS}', '"HANGUP"', '"SUCCESS"', '"transfer"', '"hangup"', '"none"', 'DIALPLAN_EXISTS(voicebot-transfer,${VOICEBOT_TRANSFER_TO},1)', 'voicebot-fallback']) {
    assert.ok(result.includes(needle), `[voicebot-result] uses ${needle}`);
  }
  assert.ok(all.has('voicebot-fallback'), 'a fallback context for handoff and failures');
});
