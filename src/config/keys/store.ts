import type { KeyTable } from '../schema.ts';

/** Call log (SQLite) settings. */
export const storeKeys = {
  db_path: {
    type: 'path', scope: 'general', default: '/var/lib/voicebot/calls.db',
    doc: 'SQLite call log shared by all calls.',
  },
} as const satisfies KeyTable;
