import type { KeyTable } from '../schema.ts';

/** Speech-to-text (Vosk) and turn-taking settings. */
export const sttKeys = {
  vosk_model_dir: {
    type: 'path', scope: 'profile', default: '/var/lib/voicebot/models/vosk',
    doc: 'Folder of an unpacked Vosk model (holds am/, conf/, graph/).',
  },
  vad: {
    type: 'enum', scope: 'profile', default: 'silero', values: ['silero', 'energy'],
    doc: 'Speech detector for turn taking and barge-in: silero (Silero VAD v5, carried in the binary; tells speech from noise) or energy (frame level only: any sound louder than speech_threshold_dbfs is speech).',
  },
  echo_cancel: {
    type: 'bool', scope: 'profile', default: true,
    doc: "Remove the bot's own voice coming back on the line (echo) from the caller audio before speech detection, using what the bot plays as the reference (vad = silero).",
  },
  vosk_load_before_answer: {
    type: 'bool', scope: 'profile', default: false,
    doc: 'yes: load the speech model while the phone still rings, so a model libvosk cannot load is refused before ANSWER (VOICEBOT_STATUS=ERROR), at the cost of a longer ring (a small model loads in about a second). no: the greeting plays at once and the model loads behind it; a damaged model then gets the caller the apology (VOICEBOT_STATUS=STT_FAILED). Either way the model folder layout is checked before ANSWER.',
  },
  speech_threshold_dbfs: {
    type: 'number', scope: 'profile', default: -45, min: -80, max: 0,
    doc: 'Caller audio quieter than this (frame level, dBFS) is never speech. With vad = energy it is the whole rule: raise it on noisy lines.',
  },
  speech_start_ms: {
    type: 'int', scope: 'profile', default: 160, min: 20, max: 2000,
    doc: 'Continuous speech needed before the caller counts as speaking.',
  },
  speech_end_ms: {
    type: 'int', scope: 'profile', default: 550, min: 100, max: 5000,
    doc: "Quiet that ends the caller's turn when their last words sound finished (falling or question pitch), or give no cue.",
  },
  speech_pause_ms: {
    type: 'int', scope: 'profile', default: 1300, min: 100, max: 5000,
    doc: "Quiet that ends the caller's turn when their last words sound unfinished (level pitch; with a real Vosk model also a trailing 'and', 'the', 'to'...). Set it to speech_end_ms to turn the cue off.",
  },
  max_utterance_seconds: {
    type: 'int', scope: 'profile', default: 20, min: 2, max: 120,
    doc: 'Longest caller turn; longer speech is cut and answered.',
  },
  barge_in_threshold_dbfs: {
    type: 'number', scope: 'profile', default: -45, min: -80, max: 0,
    doc: "While the bot speaks, caller speech quieter than this (after the bot's echo is removed) cannot interrupt it. With vad = energy raise it above the bot's echo (e.g. -32).",
  },
  barge_in_min_ms: {
    type: 'int', scope: 'profile', default: 120, min: 20, max: 5000,
    doc: 'While the bot speaks, continuous caller speech needed to interrupt it (a high value makes barge-in rare; coughs and door slams are shorter than 300 ms).',
  },
} as const satisfies KeyTable;
