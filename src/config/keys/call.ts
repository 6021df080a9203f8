import type { KeyTable } from '../schema.ts';

/** One DTMF key as STREAM FILE takes it among its escape digits. */
const DTMF_KEY = { test: /^[0-9*#]$/, describe: 'one key: 0-9, * or #' };

/** Conversation behaviour per profile: phrases, turn-taking, DTMF, limits. */
export const callKeys = {
  language: {
    type: 'string', scope: 'profile', default: 'en-US',
    doc: 'Language tag given to the prompt.',
  },
  greeting: {
    type: 'string', scope: 'profile', default: 'Hello, how can I help you?',
    doc: 'First sentence the caller hears; cached as audio so it plays at once.',
  },
  goodbye_text: {
    type: 'string', scope: 'profile', default: 'Thank you for calling. Goodbye.',
    doc: 'Said before the bot hangs up (caller silence, limits, goodbye without a reply).',
  },
  apology_text: {
    type: 'string', scope: 'profile', default: 'Sorry, I am having trouble right now. Please hold while I transfer you.',
    doc: 'Said when the language model, speech recognition or voice fails; the call then returns to the dialplan.',
  },
  reprompt_text: {
    type: 'string', scope: 'profile', default: 'Are you still there?',
    doc: 'Said after silence_reprompt_seconds of caller silence.',
  },
  transfer_text: {
    type: 'string', scope: 'profile', default: 'Please hold, I am transferring your call.',
    doc: 'Said before handing the call to a transfer destination when the model gave no words of its own.',
  },
  silence_reprompt_seconds: {
    type: 'number', scope: 'profile', default: 8, min: 1, max: 120,
    doc: 'Caller silence before the reprompt.',
  },
  max_reprompts: {
    type: 'int', scope: 'profile', default: 2, min: 0, max: 10,
    doc: 'Reprompts in a row before the bot says goodbye and hangs up.',
  },
  max_call_seconds: {
    type: 'int', scope: 'profile', default: 600, min: 10, max: 86400,
    doc: 'Hard limit on call length; the bot says goodbye when it is reached, and 5 s later the call ends whatever is pending.',
  },
  max_turns: {
    type: 'int', scope: 'profile', default: 40, min: 1, max: 1000,
    doc: 'Hard limit on caller turns.',
  },
  barge_in: {
    type: 'bool', scope: 'profile', default: true,
    doc: 'Let caller speech interrupt the bot.',
  },
  barge_in_ignore_first_ms: {
    type: 'int', scope: 'profile', default: 150, min: 0, max: 2000,
    doc: 'Caller audio ignored at the start of each bot sentence (echo of the line, the tail of a reply).',
  },
  dtmf_operator_key: {
    type: 'string', scope: 'profile', default: '0', allowEmpty: true, pattern: DTMF_KEY,
    doc: 'Key that transfers to operator_destination at any time (empty: none).',
  },
  dtmf_skip_key: {
    type: 'string', scope: 'profile', default: '#', allowEmpty: true, pattern: DTMF_KEY,
    doc: "Key that skips the bot's current sentence (empty: none).",
  },
  operator_destination: {
    type: 'string', scope: 'profile', default: 'operator', allowEmpty: true,
    doc: 'VOICEBOT_TRANSFER_TO value for the operator key (the dialplan maps it to a queue or extension).',
  },
  filler_after_ms: {
    type: 'int', scope: 'profile', default: 2500, min: 0, max: 30000,
    doc: 'If the first sentence of a reply is not ready after this long, say filler_text (0: never).',
  },
  max_dead_air_ms: {
    type: 'int', scope: 'profile', default: 2500, min: 500, max: 30000,
    doc: 'Once a reply has started playing (its first sentence or the filler), the longest silence before the next sentence; past it the caller hears apology_text.',
  },
  filler_text: {
    type: 'string', scope: 'profile', default: 'One moment, please.',
    doc: 'Said when a reply takes long, so the line is never silent.',
  },
  record_caller: {
    type: 'bool', scope: 'profile', default: false,
    doc: "Keep each caller utterance as a WAV in the call's folder and reference it from the call log.",
  },
  mirror_verbose: {
    type: 'bool', scope: 'profile', default: true,
    doc: 'Mirror key log lines to the Asterisk console with VERBOSE (only while nothing is playing).',
  },
} as const satisfies KeyTable;
