import type { Config } from '../config/keys/index.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import { parseDialPatterns, type DialPattern } from '../tools/dial-pattern.ts';

/** A transfer destination from the whitelist: the model sees `name`, the dialplan gets `target`. */
export interface TransferDestination {
  name: string;
  target: string;
}

/** Everything the LLM client needs, validated; built once per call from the resolved config. */
export interface LlmSettings {
  host: string;
  model: string;
  keepAliveSeconds: number;
  maxReplyTokens: number;
  /** Characters of one reply read at most (llm_max_reply_chars). */
  maxReplyChars: number;
  temperature: number;
  contextTokens: number;
  historyTurns: number;
  historyTokens: number;
  firstTokenTimeoutMs: number;
  totalTimeoutMs: number;
  toolMode: 'auto' | 'native' | 'text';
  destinations: readonly TransferDestination[];
  /** Extensions the bot may transfer to by number (transfer_patterns). */
  transferPatterns: readonly DialPattern[];
  /** Tool rounds per reply (tool_max_rounds). */
  maxToolRounds: number;
  sayDoPolicy: 'correct' | 'act' | 'log';
  /** IANA zone or undefined for the system zone. */
  timeZone: string | undefined;
  /** Absolute path of the prompt template, or undefined for the built-in one. */
  promptFile: string | undefined;
}

/** The settings for one call. Throws ConfigError for a bad time zone or destination list. */
export function llmSettingsFrom(config: Config, file = 'voicebot.conf'): LlmSettings {
  return {
    host: config.ollama_host,
    model: config.ollama_model,
    keepAliveSeconds: config.llm_keep_alive_seconds,
    maxReplyTokens: config.llm_max_reply_tokens,
    maxReplyChars: config.llm_max_reply_chars,
    temperature: config.llm_temperature,
    contextTokens: config.llm_context_tokens,
    historyTurns: config.llm_history_turns,
    historyTokens: config.llm_history_tokens,
    firstTokenTimeoutMs: config.llm_first_token_timeout_ms,
    totalTimeoutMs: config.llm_total_timeout_ms,
    toolMode: config.llm_tool_mode,
    destinations: parseDestinations(config.transfer_destinations, file),
    transferPatterns: patternsFrom(config.transfer_patterns, file),
    maxToolRounds: config.tool_max_rounds,
    sayDoPolicy: config.say_do_policy,
    timeZone: validTimeZone(config.llm_time_zone, file),
    promptFile: config.llm_prompt_file === '' ? undefined : config.llm_prompt_file,
  };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$/;

/** `name=target` or a bare `target` (then the name is the target). Names are unique, case-insensitively. */
export function parseDestinations(entries: readonly string[], file = 'voicebot.conf'): TransferDestination[] {
  const out: TransferDestination[] = [];
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const name = (eq === -1 ? entry : entry.slice(0, eq)).trim();
    const target = (eq === -1 ? entry : entry.slice(eq + 1)).trim();
    if (!NAME.test(name) || target === '' || /[\s,;|]/.test(target)) {
      throw new ConfigError('CONFIG_VALUE', { file, key: 'transfer_destinations' }, `'${entry}' is not a valid destination`,
        'write name=target pairs separated by commas, e.g. sales=SIP/201, operator=0 (names: letters, digits, space, _ . -)');
    }
    if (out.some((d) => d.name.toLowerCase() === name.toLowerCase())) {
      throw new ConfigError('CONFIG_VALUE', { file, key: 'transfer_destinations' }, `the name '${name}' is listed twice`,
        'give every destination its own name');
    }
    out.push({ name, target });
  }
  return out;
}

function validTimeZone(zone: string, file: string): string | undefined {
  if (zone === '') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw new ConfigError('CONFIG_VALUE', { file, key: 'llm_time_zone' }, `'${zone}' is not a known time zone`,
      'use an IANA name such as Europe/Berlin or America/New_York, or leave it empty for the system zone');
  }
}

function patternsFrom(entries: readonly string[], file: string): DialPattern[] {
  try {
    return parseDialPatterns(entries);
  } catch (error) {
    throw new ConfigError('CONFIG_VALUE', { file, key: 'transfer_patterns' }, errorMessage(error),
      'write Asterisk patterns separated by commas, e.g. _1XX, _2[0-4]XX (X = any digit, Z = 1-9, N = 2-9, [..] a set, . one or more)');
  }
}
