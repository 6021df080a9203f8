import type { KeyTable } from '../schema.ts';

/** Business logic: declared HTTP tools, transfer patterns, the say/do check and the call-event webhook. */
export const toolKeys = {
  tools: {
    type: 'list', scope: 'profile', default: [],
    doc: 'HTTP tools this profile may call, by the names of their [tool:NAME] sections (see the worked example at the end of the sample config).',
  },
  tool_allowed_hosts: {
    type: 'list', scope: 'general', default: [],
    doc: 'Hosts tool URLs may reach besides loopback: names (crm.example.com), addresses or networks (10.0.0.0/8, fd00::/8). A name not listed must resolve into a listed network.',
  },
  tool_max_rounds: {
    type: 'int', scope: 'profile', default: 3, min: 1, max: 10,
    doc: 'Tool calls the model may chain in one reply before it must answer with what it has.',
  },
  transfer_patterns: {
    type: 'list', scope: 'profile', default: [],
    doc: 'Extensions the bot may transfer to besides transfer_destinations, in Asterisk pattern syntax (_1XX, _2[0-4]XX, _9.); the dialplan gets the extension in VOICEBOT_TRANSFER_TO.',
  },
  say_do_policy: {
    type: 'enum', scope: 'profile', default: 'correct', values: ['correct', 'act', 'log'],
    doc: 'When a reply announces a transfer or a goodbye that no tool call carried out: correct = ask the model once more with a correction, act = do the announced action when it is unambiguous and allowed, log = only record it. Every case is logged and stored as a say_do_mismatch event.',
  },
  webhook_url: {
    type: 'string', scope: 'profile', default: '', allowEmpty: true,
    doc: 'Call events (call_started, turn, tool_call, say_do_mismatch, call_ended) are POSTed here as JSON, in the background (empty: off).',
  },
  webhook_headers_file: {
    type: 'path', scope: 'profile', default: '', allowEmpty: true,
    doc: 'File of `Name: value` lines sent with every webhook request (tokens); never logged.',
  },
  webhook_timeout_ms: {
    type: 'int', scope: 'profile', default: 3000, min: 100, max: 60000,
    doc: 'Per webhook attempt.',
  },
  webhook_max_attempts: {
    type: 'int', scope: 'profile', default: 6, min: 1, max: 50,
    doc: 'Attempts per event (server errors, timeouts and refused connections are retried with backoff).',
  },
  webhook_flush_ms: {
    type: 'int', scope: 'profile', default: 1000, min: 0, max: 30000,
    doc: 'After the call, how long the process may wait for undelivered events; what is left is stored in the call log as a webhook_undelivered event.',
  },
} as const satisfies KeyTable;
