import type { KeyTable } from '../schema.ts';

/** Process-wide settings: where things live on the box. */
export const generalKeys = {
  log_file: {
    type: 'path', scope: 'general', default: '/var/log/voicebot/voicebot.log',
    doc: 'Log file, appended to by every call process.',
  },
  log_level: {
    type: 'enum', scope: 'general', default: 'info', values: ['debug', 'info', 'warn', 'error'],
    doc: 'Lowest level written to the log.',
  },
  log_stderr: {
    type: 'enum', scope: 'general', default: 'auto', values: ['auto', 'yes', 'no'],
    doc: 'Also log to stderr: auto = only when stderr is a terminal.',
  },
  redact_transcripts: {
    type: 'bool', scope: 'general', default: false,
    doc: 'Replace caller and bot text in log lines by its length (the call log DB keeps it).',
  },
  cache_dir: {
    type: 'path', scope: 'general', default: '/var/cache/voicebot',
    doc: 'Prepared voices, phrase cache and per-call audio files.',
  },
  max_concurrent_calls: {
    type: 'int', scope: 'general', default: 0, min: 0, max: 10000,
    doc: 'Calls this host serves at once, across all voicebot processes (0: no limit). A call over the limit is not answered: VOICEBOT_STATUS=BUSY within a few ms of its start, for the dialplan to send to a queue, voicemail or a person (the sample extensions.conf does). A crashed call frees its slot at once. `voicebot bench` recommends a value.',
  },
  model_load_lanes: {
    type: 'int', scope: 'general', default: 0, min: 0, max: 256,
    doc: 'Calls on this host that load their speech models (detector, Vosk model, voice, model warm-up) at the same moment; the others wait their turn while their greeting plays, so a burst of new calls leaves CPU to the calls already running (0: one less than the CPU cores, at least 1).',
  },
  model_load_wait_ms: {
    type: 'int', scope: 'general', default: 3000, min: 0, max: 60000,
    doc: 'Longest a call waits for a model_load_lanes turn before it loads anyway. Until its models load, a caller who talks over the greeting is heard only after the wait.',
  },
  agi_reply_timeout_ms: {
    type: 'int', scope: 'general', default: 5000, min: 200, max: 60000,
    doc: 'How long Asterisk may take to answer an AGI command (added to the sound length for STREAM FILE and to the wait for WAIT FOR DIGIT); past it the call ends with end_reason agi_timeout.',
  },
  agi_bin_dir: {
    type: 'path', scope: 'general', default: '/var/lib/asterisk/agi-bin',
    doc: "Asterisk's agi-bin folder, where the voicebot binary is installed.",
  },
} as const satisfies KeyTable;
