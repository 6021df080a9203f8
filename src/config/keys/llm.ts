import type { KeyTable } from '../schema.ts';

/** Language model (Ollama) settings. */
export const llmKeys = {
  ollama_host: {
    type: 'string', scope: 'general', default: 'http://127.0.0.1:11434',
    doc: 'Ollama server URL (OLLAMA_HOST in the environment also sets it).',
  },
  ollama_model: {
    type: 'string', scope: 'profile', default: 'llama3.2:3b',
    doc: 'Model name as shown by `ollama list`.',
  },
  llm_prompt_file: {
    type: 'path', scope: 'profile', default: '', allowEmpty: true,
    doc: 'System prompt template; {{caller_number}} {{caller_name}} {{date}} {{time}} {{weekday}} {{profile}} {{language}} {{destinations}} are filled in. Empty: a built-in receptionist prompt.',
  },
  llm_time_zone: {
    type: 'string', scope: 'profile', default: '', allowEmpty: true,
    doc: 'IANA time zone for {{date}} and {{time}} in the prompt (e.g. Europe/Berlin). Empty: the system zone.',
  },
  llm_keep_alive_seconds: {
    type: 'int', scope: 'profile', default: 1800, min: -1,
    doc: 'How long Ollama keeps the model loaded after a request; -1 = forever.',
  },
  llm_max_reply_tokens: {
    type: 'int', scope: 'profile', default: 120, min: 8, max: 4096,
    doc: 'Cap on tokens per reply (Ollama num_predict); the client also stops reading past it.',
  },
  llm_max_reply_chars: {
    type: 'int', scope: 'profile', default: 1000, min: 50, max: 20000,
    doc: 'Cap on characters per reply, however the model sends them; the rest is not read.',
  },
  llm_temperature: {
    type: 'number', scope: 'profile', default: 0.6, min: 0, max: 2,
    doc: 'Sampling temperature.',
  },
  llm_context_tokens: {
    type: 'int', scope: 'profile', default: 4096, min: 512, max: 131072,
    doc: 'Model context window (Ollama num_ctx).',
  },
  llm_history_turns: {
    type: 'int', scope: 'profile', default: 10, min: 0, max: 200,
    doc: 'Earlier caller/bot exchanges sent with each request; older ones are dropped.',
  },
  llm_history_tokens: {
    type: 'int', scope: 'profile', default: 1500, min: 0, max: 100000,
    doc: 'Estimated token budget for the history (about 4 characters per token); older exchanges are dropped first.',
  },
  llm_first_token_timeout_ms: {
    type: 'int', scope: 'profile', default: 10000, min: 100, max: 600000,
    doc: 'Give up when no token arrives this long after the request, or this long between two tokens.',
  },
  llm_total_timeout_ms: {
    type: 'int', scope: 'profile', default: 30000, min: 100, max: 600000,
    doc: 'Give up when a whole reply takes longer than this.',
  },
  llm_tool_mode: {
    type: 'enum', scope: 'profile', default: 'auto', values: ['auto', 'native', 'text'],
    doc: 'How the model ends or transfers calls: native = Ollama tools, text = [END_CALL]/[TRANSFER: x] marker lines, auto = tools, falling back to markers when the model has no tool support.',
  },
  transfer_destinations: {
    type: 'list', scope: 'profile', default: [],
    doc: 'The only places the bot may transfer to, as name=target (e.g. sales=SIP/201, operator=0); the model sees the names, the dialplan gets the target in VOICEBOT_TRANSFER_TO.',
  },
} as const satisfies KeyTable;
