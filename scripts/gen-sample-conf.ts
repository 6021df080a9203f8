/**
 * Writes etc-asterisk/voicebot.conf from the key schema: every key with its doc, type, unit,
 * default and scope, then the two example profiles. The result is committed; test/deploy checks
 * that it is current, so a new key means running this again:
 *
 *   npx node scripts/gen-sample-conf.ts          (writes the file)
 *   npx node scripts/gen-sample-conf.ts --check  (exit 1 when the committed file is stale)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callKeys } from '../src/config/keys/call.ts';
import { generalKeys } from '../src/config/keys/general.ts';
import { allKeys } from '../src/config/keys/index.ts';
import { llmKeys } from '../src/config/keys/llm.ts';
import { storeKeys } from '../src/config/keys/store.ts';
import { sttKeys } from '../src/config/keys/stt.ts';
import { standinKeys } from '../src/config/keys/standin.ts';
import { toolKeys } from '../src/config/keys/tools.ts';
import { ttsKeys } from '../src/config/keys/tts.ts';
import { describeType, type KeySpec, type KeyTable } from '../src/config/schema.ts';

export const SAMPLE_CONF_PATH = join(dirname(dirname(fileURLToPath(import.meta.url))), 'etc-asterisk', 'voicebot.conf');

const GROUPS: { title: string; table: KeyTable }[] = [
  { title: 'Files and logging', table: generalKeys },
  { title: 'Speech recognition (Vosk) and turn-taking', table: sttKeys },
  { title: 'Voice (Piper through sherpa-onnx)', table: ttsKeys },
  { title: 'Language model (Ollama)', table: llmKeys },
  { title: 'Call log (SQLite)', table: storeKeys },
  { title: 'Conversation: phrases, DTMF, limits', table: callKeys },
  { title: 'Business logic: HTTP tools, transfer patterns, say/do check, webhook', table: toolKeys },
  { title: 'TEST STAND-INS: CPU and memory of real models on a box without them (benchmarks only)', table: standinKeys },
];

/** The unit a key's name carries, spelled out for the comment. */
export function unitOf(key: string): string | undefined {
  const suffixes: [string, string][] = [
    ['_ms', 'milliseconds'], ['_seconds', 'seconds'], ['_hz', 'hertz'], ['_dbfs', 'dBFS (0 = full scale; -40 is quiet speech)'],
    ['_tokens', 'tokens'], ['_chars', 'characters'], ['_turns', 'caller/bot exchanges'],
  ];
  for (const [suffix, unit] of suffixes) if (key.endsWith(suffix)) return unit;
  if (key === 'max_turns') return 'caller turns';
  if (key === 'max_reprompts') return 'reprompts';
  return undefined;
}

/** A value as it would be written in the file (`;` escaped, lists joined, bools as yes/no). */
export function formatValue(spec: KeySpec): string {
  let text: string;
  if (spec.type === 'bool') text = spec.default ? 'yes' : 'no';
  else if (spec.type === 'list') text = spec.default.join(', ');
  else text = String(spec.default);
  return text.replaceAll(';', '\\;');
}

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((l, i) => `;${i === 0 ? ' ' : indent}${l}`);
}

function keyBlock(key: string, spec: KeySpec): string[] {
  const unit = unitOf(key);
  const facts = [
    `type: ${describeType(spec)}`,
    ...(unit === undefined ? [] : [`unit: ${unit}`]),
    `default: ${formatValue(spec) === '' ? '(empty)' : formatValue(spec)}`,
    spec.scope === 'general' ? 'only in [general]' : 'in [general] or a profile',
  ];
  return [
    ...wrap(`${key}: ${spec.doc}`, 98, '   '),
    ...wrap(`(${facts.join(' | ')})`, 98, '   ').map((line) => line.replace(/^; /, ';   ')),
    `;${key} = ${formatValue(spec)}`,
    '',
  ];
}

const HEADER = `; voicebot.conf: the offline AI phone agent for Asterisk (dialplan: EAGI(voicebot,<profile>)).
;
; GENERATED from the key schema (src/config/keys/*.ts) by scripts/gen-sample-conf.ts: edit the
; schema or the generator, then run \`npx node scripts/gen-sample-conf.ts\`.
;
; Syntax: Asterisk-style INI. [general] holds box-wide settings and the defaults for every
; profile; each other [section] is a profile picked in the dialplan with EAGI(voicebot,<name>).
; Lines starting with ; are comments (write \\; for a literal semicolon). Every key below is shown
; commented out with its built-in default: remove the leading ; to change it.
;
; Which value wins, lowest first: built-in default < [general] < [profile] < the environment of the
; voicebot process (VOICEBOT_<KEY in upper case>, e.g. VOICEBOT_OLLAMA_MODEL; OLLAMA_HOST too).
; Relative paths are taken from the folder of this file.
;
; Every key is checked when a call starts and by \`voicebot doctor\`; a mistake is reported with
; this file, the line and the key, and the call is left unanswered with VOICEBOT_STATUS=ERROR.
`;

const PROFILES = `; ==================================================================================================
; Example profiles. The dialplan picks one: EAGI(voicebot,receptionist) or EAGI(voicebot,orders).
; A profile may set any key above that says "in [general] or a profile".
; transfer_destinations: the model only sees the names; VOICEBOT_TRANSFER_TO gets the target,
; which the sample extensions.conf sends to the extension of the same name in [voicebot-transfer].
; ==================================================================================================

[receptionist]
greeting = Hello, thank you for calling Example Company. How can I help you?
llm_prompt_file = voicebot-prompts/receptionist.txt
transfer_destinations = sales=sales, support=support, billing=billing, operator=operator
; "put me through to 214": any extension 200-299 (the sample extensions.conf dials _2XX).
transfer_patterns = _2XX
operator_destination = operator

[orders]
greeting = Order status line. Please tell me your order number.
llm_prompt_file = voicebot-prompts/orders.txt
transfer_destinations = orders desk=orders, operator=operator
operator_destination = operator
llm_temperature = 0.3
max_call_seconds = 300
silence_reprompt_seconds = 6
; The order_status tool below; its prompt (voicebot-prompts/orders.txt) says when to use it.
tools = order_status

; ==================================================================================================
; A worked HTTP tool: the order-status lookup the [orders] profile uses. A [tool:NAME] section
; declares a tool; a profile enables it with tools = NAME. The model sees the name, the description
; and the parameters; voicebot checks the arguments against param.* before any request, sends it
; only to loopback or tool_allowed_hosts, and gives the model the answer (or a short error it can
; say to the caller). Keys: description, url ({param} placeholders in the path or query, encoded),
; method (GET, POST, PUT, PATCH, DELETE; POST/PUT/PATCH send the arguments as a JSON body, GET and
; DELETE as query parameters), timeout_ms, wait_text (said when the request takes longer than
; wait_after_ms), max_response_bytes, param.NAME = string | integer | number | boolean with
; param.NAME.description / .required / .values / .min_length / .max_length / .pattern / .minimum /
; .maximum, header.NAME = value, header_file.NAME = a file holding a secret value (never logged).
; ==================================================================================================

[tool:order_status]
description = Look up the status and delivery date of an order by its six-digit order number.
url = http://127.0.0.1:8080/api/orders/{order_id}
method = GET
param.order_id = string
param.order_id.description = The six-digit order number the caller confirmed.
param.order_id.pattern = [0-9]{6}
timeout_ms = 3000
wait_text = One moment, I am looking up your order.
wait_after_ms = 1000
max_response_bytes = 2000
;header_file.authorization = /etc/asterisk/voicebot-shop-token
`;

/** The whole sample file. */
export function renderSampleConf(): string {
  const out: string[] = [HEADER, '[general]', ''];
  const seen = new Set<string>();
  const groups = [...GROUPS];
  const rest = Object.fromEntries(Object.entries(allKeys).filter(([key]) => !GROUPS.some((g) => key in g.table)));
  if (Object.keys(rest).length > 0) groups.push({ title: 'Other settings', table: rest as KeyTable });
  for (const group of groups) {
    out.push(`; ---- ${group.title} ${'-'.repeat(Math.max(4, 92 - group.title.length))}`, '');
    for (const [key, spec] of Object.entries(group.table)) {
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(...keyBlock(key, spec));
    }
  }
  out.push(PROFILES);
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = renderSampleConf();
  if (process.argv.includes('--check')) {
    const current = readFileSync(SAMPLE_CONF_PATH, 'utf8');
    if (current !== text) {
      process.stderr.write(`${SAMPLE_CONF_PATH} is out of date: run npx node scripts/gen-sample-conf.ts\n`);
      process.exit(1);
    }
    process.stdout.write(`${SAMPLE_CONF_PATH} is current\n`);
  } else {
    writeFileSync(SAMPLE_CONF_PATH, text);
    process.stdout.write(`wrote ${SAMPLE_CONF_PATH}\n`);
  }
}
