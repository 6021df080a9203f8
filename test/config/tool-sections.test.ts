import assert from 'node:assert/strict';
import { validateArguments } from '../../src/tools/arguments.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkConfig, loadConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';
import type { HttpToolSpec } from '../../src/tools/types.ts';
import { repoRoot } from '../support/paths.ts';

/** A fresh folder per config, so relative header_file paths resolve beside it. */
function writeConf(lines: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-tools-'));
  const file = join(dir, 'voicebot.conf');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The 1-based line of the first line starting with `start`. */
function lineOf(lines: readonly string[], start: string): number {
  const index = lines.findIndex((line) => line.startsWith(start));
  assert.notEqual(index, -1, `no line starts with ${start}`);
  return index + 1;
}

test('the worked example in the sample config: [orders] gets order_status, nothing else gets a tool', () => {
  const loaded = loadConfig({ path: join(repoRoot, 'etc-asterisk', 'voicebot.conf'), env: {} });
  const [spec, ...rest] = loaded.toolsFor('orders');
  assert.deepEqual(rest, []);
  assert.ok(spec !== undefined);
  assert.equal(spec.name, 'order_status');
  assert.equal(spec.method, 'GET');
  assert.equal(spec.urlTemplate, 'http://127.0.0.1:8080/api/orders/{order_id}');
  assert.deepEqual(spec.params.map((p) => ({ name: p.name, type: p.type, required: p.required, pattern: p.pattern })),
    [{ name: 'order_id', type: 'string', required: true, pattern: '[0-9]{6}' }]);
  assert.equal(spec.timeoutMs, 3000);
  assert.equal(spec.waitText, 'One moment, I am looking up your order.');
  assert.equal(spec.waitAfterMs, 1000);
  assert.deepEqual(spec.headers, [], 'the header_file line is commented out');
  assert.deepEqual(loaded.toolsFor('receptionist'), []);
  assert.deepEqual(loaded.toolsFor(), []);
});

test('a section using every field parses into one HttpToolSpec', () => {
  const tokenDir = mkdtempSync(join(tmpdir(), 'voicebot-token-'));
  const token = join(tokenDir, 'book-token');
  writeFileSync(token, 'Bearer s3cret\n');
  const file = writeConf([
    '[general]', 'tools = book',
    '[tool:book]',
    'description = Book a table for the caller.',
    'method = post',
    'url = https://127.0.0.1:8443/bookings?source=phone',
    'timeout_ms = 5000', 'wait_text =', 'wait_after_ms = 0', 'max_response_bytes = 500',
    'param.party = integer', 'param.party.description = Number of guests.', 'param.party.minimum = 1', 'param.party.maximum = 12',
    'param.deposit = number', 'param.deposit.minimum = 0.5', 'param.deposit.maximum = 99.5', 'param.deposit.required = no',
    'param.vip = boolean', 'param.vip.required = no',
    'param.room = string', 'param.room.values = garden, terrace , bar',
    'param.name = String', 'param.name.min_length = 2', 'param.name.max_length = 40', 'param.name.pattern = [A-Za-z ]+',
    'header.X-Api-Version = 2',
    `header_file.authorization = ${token}`,
  ]);
  const none = { values: undefined, minLength: undefined, maxLength: undefined, pattern: undefined, minimum: undefined, maximum: undefined };
  const expected: HttpToolSpec = {
    name: 'book', description: 'Book a table for the caller.', method: 'POST',
    urlTemplate: 'https://127.0.0.1:8443/bookings?source=phone',
    headers: [
      { name: 'x-api-version', value: '2', secret: false },
      { name: 'authorization', value: 'Bearer s3cret', secret: true },
    ],
    params: [
      { ...none, name: 'party', type: 'integer', description: 'Number of guests.', required: true, minimum: 1, maximum: 12 },
      { ...none, name: 'deposit', type: 'number', description: '', required: false, minimum: 0.5, maximum: 99.5 },
      { ...none, name: 'vip', type: 'boolean', description: '', required: false },
      { ...none, name: 'room', type: 'string', description: '', required: true, values: ['garden', 'terrace', 'bar'] },
      { ...none, name: 'name', type: 'string', description: '', required: true, minLength: 2, maxLength: 40, pattern: '[A-Za-z ]+' },
    ],
    timeoutMs: 5000, waitText: '', waitAfterMs: 0, maxResponseBytes: 500,
  };
  assert.deepEqual(loadConfig({ path: file, env: {} }).toolsFor(), [expected]);
});

interface BadCase {
  name: string;
  lines: readonly string[];
  /** Start of the line the error must name. */
  at: string;
  code?: string;
  key?: string;
  problem: RegExp;
  fix: RegExp;
}

const URL_OK = 'url = http://127.0.0.1:8080/x';
const BAD: readonly BadCase[] = [
  { name: 'an unknown key', lines: ['[tool:t]', 'descripton = Look up.', 'description = Look up.', URL_OK],
    at: 'descripton', key: 'descripton', problem: /'descripton' is not a tool setting/, fix: /did you mean 'description'\?/ },
  { name: 'no description', lines: ['[general]', '[tool:t]', URL_OK],
    at: '[tool:t]', key: 'description', problem: /tool 't' has no description/, fix: /one sentence/ },
  { name: 'a bad method', lines: ['[tool:t]', 'description = d', URL_OK, 'method = FETCH'],
    at: 'method', key: 'method', problem: /'FETCH' is not a supported method/, fix: /GET, POST, PUT, PATCH, DELETE/ },
  { name: 'a placeholder in the host', lines: ['[tool:t]', 'description = d', 'url = http://{host}/x', 'param.host = string'],
    at: 'url', key: 'url', problem: /only in the path or the query, not in the host/, fix: /absolute http\(s\) URL/ },
  { name: 'an undeclared placeholder', lines: ['[tool:t]', 'description = d', 'param.id = string', 'url = http://127.0.0.1/x/{order}'],
    at: 'url', key: 'url', problem: /names \{order\}, which is not a parameter/, fix: /\{param\} placeholders/ },
  { name: 'a parameter without a type', lines: ['[tool:t]', 'description = d', URL_OK, 'param.id.description = The id.'],
    at: '[tool:t]', key: 'param.id', problem: /parameter 'id' has no valid type/, fix: /param\.id = string \| integer \| number \| boolean/ },
  { name: 'an unknown parameter type', lines: ['[tool:t]', 'description = d', URL_OK, 'param.id = text'],
    at: 'param.id', key: 'param.id', problem: /parameter 'id' has no valid type/, fix: /string \| integer/ },
  { name: 'an unknown parameter field', lines: ['[tool:t]', 'description = d', URL_OK, 'param.id = string', 'param.id.format = x'],
    at: 'param.id.format', key: 'param.id.format', problem: /'format' is not a parameter field/, fix: /use one of description, required, values/ },
  { name: 'a bad pattern', lines: ['[tool:t]', 'description = d', URL_OK, 'param.id = string', 'param.id.pattern = [0-9'],
    at: 'param.id.pattern', key: 'param.id.pattern', problem: /not a valid regular expression/, fix: /without slashes/ },
  { name: 'a non-numeric minimum', lines: ['[tool:t]', 'description = d', URL_OK, 'param.n = integer', 'param.n.minimum = low'],
    at: 'param.n.minimum', key: 'param.n.minimum', problem: /'low' is not a number/, fix: /write a number/ },
  { name: 'a missing header_file', lines: ['[tool:t]', 'description = d', URL_OK, 'header_file.authorization = no-such-token'],
    at: 'header_file', key: 'header_file.authorization', problem: /cannot read \S+no-such-token \(ENOENT\)/, fix: /readable by the user Asterisk runs as/ },
  { name: 'an invalid tool name', lines: ['[general]', '[tool:Bad-Name]', 'description = d', URL_OK],
    at: '[tool:Bad-Name]', problem: /\[tool:Bad-Name\] is not a valid tool name/, fix: /lower-case letters, digits and _/ },
  { name: 'a reserved tool name', lines: ['[tool:end_call]', 'description = d', URL_OK],
    at: '[tool:end_call]', problem: /\[tool:end_call\] is not a valid tool name/, fix: /not end_call or transfer_call/ },
  { name: 'a profile enabling an unknown tool', lines: ['[orders]', 'tools = order_staus', '[tool:order_status]', 'description = d', URL_OK],
    at: 'tools', code: 'CONFIG_UNKNOWN_TOOL', key: 'tools', problem: /\[orders\] enables tool 'order_staus', which has no \[tool:order_staus\] section/,
    fix: /did you mean 'order_status'\?/ },
  { name: 'a required flag that is not yes or no', lines: ['[tool:t]', 'description = d', URL_OK, 'param.id = string', 'param.id.required = maybe'],
    at: 'param.id.required', key: 'param.id.required', problem: /'maybe' is not yes or no/, fix: /write yes or no/ },
  { name: 'a key set twice', lines: ['[tool:t]', 'description = d', URL_OK, 'url = http://127.0.0.1/y'],
    at: 'url = http://127.0.0.1/y', key: 'url', problem: /'url' is set twice in \[tool:t\]/, fix: /keep one/ },
  { name: 'a string field on a number parameter', lines: ['[tool:t]', 'description = d', URL_OK, 'param.n = integer', 'param.n.pattern = [0-9]+'],
    at: 'param.n =', key: 'param.n', problem: /pattern do not apply to a integer parameter/, fix: /change the parameter type/ },
  { name: 'limits no value can meet', lines: ['[tool:t]', 'description = d', URL_OK, 'param.n = integer', 'param.n.minimum = 10', 'param.n.maximum = 1'],
    at: 'param.n =', key: 'param.n', problem: /minimum 10 is above maximum 1/, fix: /remove the field/ },
];

for (const bad of BAD) {
  test(`${bad.name} is one error naming the line, the key and the fix`, () => {
    const file = writeConf(bad.lines);
    const line = lineOf(bad.lines, bad.at);
    const { problems } = checkConfig({ path: file, env: {} });
    assert.equal(problems.length, 1, problems.map((p) => p.message).join('\n'));
    const error = problems[0];
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, bad.code ?? 'CONFIG_TOOL');
    assert.equal(error.line, line);
    assert.equal(error.key, bad.key);
    const prefix = bad.key === undefined ? `${file}:${line}: ` : `${file}:${line}: key '${bad.key}': `;
    assert.ok(error.message.startsWith(prefix), `${error.message} should start with ${prefix}`);
    const [problem = '', fix = ''] = error.message.slice(prefix.length).split('. Fix: ');
    assert.match(problem, bad.problem);
    assert.match(fix, bad.fix);
    assert.throws(() => loadConfig({ path: file, env: {} }), (thrown: unknown) => thrown instanceof ConfigError && thrown.message === error.message);
  });
}

test('a missing header_file is looked for beside the config file', () => {
  const file = writeConf(['[tool:t]', 'description = d', URL_OK, 'header_file.authorization = no-such-token']);
  assert.throws(() => loadConfig({ path: file, env: {} }), (error: unknown) =>
    error instanceof ConfigError && error.message.includes(`cannot read ${join(file, '..', 'no-such-token')} (ENOENT)`));
});

test('no tool error ever shows a secret read from a header_file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-token-'));
  writeFileSync(join(dir, 'two-lines'), 'Bearer s3cret-one\nBearer s3cret-two\n');
  writeFileSync(join(dir, 'good'), 'Bearer s3cret-good\n');
  const file = writeConf([
    '[tool:split]', 'description = d', URL_OK, `header_file.authorization = ${join(dir, 'two-lines')}`,
    '[tool:broken]', 'description = d', URL_OK, `header_file.authorization = ${join(dir, 'good')}`, 'method = FETCH', 'param.x = text',
  ]);
  const { problems } = checkConfig({ path: file, env: {} });
  assert.deepEqual(problems.map((p) => p.key), ['header_file.authorization', 'method', 'param.x']);
  assert.match(problems[0]?.message ?? '', /must hold the value on one line/);
  for (const problem of problems) assert.doesNotMatch(`${problem.message} ${String(problem.cause)}`, /s3cret/);
});

test('checkConfig reports every problem in one pass; loadConfig throws the first', () => {
  const lines = [
    '[general]', 'tools = good, missing',
    '[tool:good]', 'description = Works.', URL_OK,
    '[tool:t]', 'descripton = d', 'method = FETCH', 'url = http://{host}/x', 'param.n = integer', 'param.n.minimum = low',
    '[tool:Bad-Name]', 'description = d',
    '[sales]', 'tools = good',
  ];
  const file = writeConf(lines);
  const { loaded, problems } = checkConfig({ path: file, env: {} });
  const byLine = problems.map((p) => [p.line ?? 0, p.key] as const).sort((a, b) => a[0] - b[0]);
  assert.deepEqual(byLine, [
    [lineOf(lines, 'tools = good, missing'), 'tools'],
    [lineOf(lines, '[tool:t]'), 'description'],
    [lineOf(lines, 'descripton'), 'descripton'],
    [lineOf(lines, 'method'), 'method'],
    [lineOf(lines, 'url = http://{host}'), 'url'],
    [lineOf(lines, 'param.n.minimum'), 'param.n.minimum'],
    [lineOf(lines, '[tool:Bad-Name]'), undefined],
  ]);
  assert.ok(problems.every((p) => p.message.includes(`${file}:${p.line}:`) && p.message.includes('. Fix: ')));
  assert.deepEqual(loaded?.toolsFor('sales').map((spec) => spec.name), ['good'], 'a valid tool stays usable beside broken ones');
  assert.throws(() => loadConfig({ path: file, env: {} }), (error: unknown) => error instanceof ConfigError && error.message === problems[0]?.message);
});

test('tool sections are not profiles; tools in [general] applies unless a profile overrides it', () => {
  const file = writeConf([
    '[general]', 'tools = lookup',
    '[plain]', 'greeting = Hi',
    '[quiet]', 'tools =',
    '[orders]', 'tools = notify, lookup',
    '[tool:lookup]', 'description = Look up.', URL_OK,
    '[tool:notify]', 'description = Notify.', 'method = POST', URL_OK,
  ]);
  const loaded = loadConfig({ path: file, env: {} });
  const names = (profile?: string): string[] => loaded.toolsFor(profile).map((spec) => spec.name);
  assert.deepEqual(loaded.profiles, ['plain', 'quiet', 'orders']);
  assert.deepEqual(names(), ['lookup']);
  assert.deepEqual(names('plain'), ['lookup']);
  assert.deepEqual(names('quiet'), [], 'an empty tools = turns the [general] tools off');
  assert.deepEqual(names('orders'), ['notify', 'lookup'], 'in the order the profile lists them');
  assert.throws(() => loaded.toolsFor('lookup'), (error: unknown) => error instanceof ConfigError && error.code === 'CONFIG_UNKNOWN_PROFILE');
});

test('a pattern is checked the way it is applied (Unicode-aware), and VOICEBOT_TOOLS is checked like the file', () => {
  const file = writeConf(['[general]', 'tools = t', '[tool:t]', 'description = d', URL_OK, 'param.a = string', 'param.a.pattern = \\p{Lu}+']);
  const [spec] = loadConfig({ path: file, env: {} }).toolsFor();
  assert.ok(spec !== undefined);
  assert.deepEqual(validateArguments(spec, { a: 'ÄBC' }), { values: { a: 'ÄBC' } });
  assert.ok('problem' in validateArguments(spec, { a: 'abc' }));
  const { problems } = checkConfig({ path: file, env: { VOICEBOT_TOOLS: 'nope' } });
  assert.equal(problems[0]?.code, 'CONFIG_UNKNOWN_TOOL');
  assert.match(problems[0]?.message ?? '', /environment variable VOICEBOT_TOOLS/);
});

test('tool_allowed_hosts belongs to [general] only', () => {
  const general = loadConfig({ path: writeConf(['[general]', 'tool_allowed_hosts = crm.example.com, 10.0.0.0/8']), env: {} });
  assert.deepEqual(general.resolve().tool_allowed_hosts, ['crm.example.com', '10.0.0.0/8']);
  const lines = ['[general]', '[sales]', 'tool_allowed_hosts = crm.example.com'];
  const file = writeConf(lines);
  const { problems } = checkConfig({ path: file, env: {} });
  assert.deepEqual(problems.map((p) => [p.code, p.line, p.key]), [['CONFIG_SCOPE', 3, 'tool_allowed_hosts']]);
  assert.match(problems[0]?.message ?? '', new RegExp(`^${file}:3: key 'tool_allowed_hosts': .*Fix: move it to \\[general\\]$`));
});
