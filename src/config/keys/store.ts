import type { KeyTable } from '../schema.ts';

/** Call log (SQLite) settings. */
export const storeKeys = {
  db_path: {
    type: 'path', scope: 'general', default: '/var/lib/voicebot/calls.db',
    doc: 'SQLite call log shared by all calls.',
  },
  db_busy_timeout_ms: {
    type: 'int', scope: 'general', default: 100, min: 0, max: 5000,
    doc: 'How long one write may wait for the database lock while blocking the call; after that it is retried in the background.',
  },
  db_retry_max_seconds: {
    type: 'int', scope: 'general', default: 60, min: 1, max: 3600,
    doc: 'How long a locked write keeps being retried before it is logged as lost (with its data) in the log file.',
  },
  db_flush_timeout_ms: {
    type: 'int', scope: 'general', default: 3000, min: 0, max: 60000,
    doc: 'At the end of a call, how long pending writes may delay the exit before they are logged as lost.',
  },
  db_synchronous: {
    type: 'enum', scope: 'general', default: 'normal', values: ['normal', 'full'],
    doc: 'SQLite synchronous mode: normal survives a crashed process (a power cut may lose the last turns); full also survives power loss, slower.',
  },
} as const satisfies KeyTable;
