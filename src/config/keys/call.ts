import type { KeyTable } from '../schema.ts';

/** Conversation behaviour per profile. */
export const callKeys = {
  language: {
    type: 'string', scope: 'profile', default: 'en-US',
    doc: 'Language tag given to the prompt.',
  },
  greeting: {
    type: 'string', scope: 'profile', default: 'Hello, how can I help you?',
    doc: 'First sentence the caller hears.',
  },
} as const satisfies KeyTable;
