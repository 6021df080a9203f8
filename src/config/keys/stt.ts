import type { KeyTable } from '../schema.ts';

/** Speech-to-text (Vosk) settings. */
export const sttKeys = {
  vosk_model_dir: {
    type: 'path', scope: 'profile', default: '/var/lib/voicebot/models/vosk',
    doc: 'Folder of an unpacked Vosk model (holds am/, conf/, graph/).',
  },
} as const satisfies KeyTable;
