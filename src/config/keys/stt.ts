import type { KeyTable } from '../schema.ts';

/** Speech-to-text (Vosk) and turn-taking settings. */
export const sttKeys = {
  vosk_model_dir: {
    type: 'path', scope: 'profile', default: '/var/lib/voicebot/models/vosk',
    doc: 'Folder of an unpacked Vosk model (holds am/, conf/, graph/).',
  },
  vosk_load_before_answer: {
    type: 'bool', scope: 'profile', default: true,
    doc: 'Load the speech model while the phone still rings, so a model libvosk cannot load is refused before ANSWER (VOICEBOT_STATUS=ERROR); no: load it during the greeting (a damaged model then gives an apology after ANSWER).',
  },
  speech_threshold_dbfs: {
    type: 'number', scope: 'profile', default: -40, min: -80, max: 0,
    doc: 'Caller audio louder than this (20 ms frame level, dBFS) counts as speech. Raise it on noisy lines.',
  },
  speech_start_ms: {
    type: 'int', scope: 'profile', default: 200, min: 20, max: 2000,
    doc: 'Continuous speech needed before the caller counts as speaking.',
  },
  speech_end_ms: {
    type: 'int', scope: 'profile', default: 700, min: 100, max: 5000,
    doc: 'Quiet after speech that ends the caller\'s turn (Vosk may end it sooner once the caller is quiet).',
  },
  max_utterance_seconds: {
    type: 'int', scope: 'profile', default: 20, min: 2, max: 120,
    doc: 'Longest caller turn; longer speech is cut and answered.',
  },
  barge_in_threshold_dbfs: {
    type: 'number', scope: 'profile', default: -32, min: -80, max: 0,
    doc: 'While the bot speaks, caller audio must be louder than this to interrupt it.',
  },
  barge_in_min_ms: {
    type: 'int', scope: 'profile', default: 300, min: 20, max: 5000,
    doc: 'While the bot speaks, continuous caller speech needed to interrupt it (a high value makes barge-in rare).',
  },
} as const satisfies KeyTable;
