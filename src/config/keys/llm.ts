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
} as const satisfies KeyTable;
