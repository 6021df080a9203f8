import type { KeyTable, ValuesOf } from '../schema.ts';
import { ariKeys } from './ari.ts';
import { callKeys } from './call.ts';
import { generalKeys } from './general.ts';
import { llmKeys } from './llm.ts';
import { storeKeys } from './store.ts';
import { sttKeys } from './stt.ts';
import { standinKeys } from './standin.ts';
import { toolKeys } from './tools.ts';
import { ttsKeys } from './tts.ts';

/** Every key voicebot.conf accepts. Subsystems add keys in their own file, never elsewhere. */
export const allKeys = {
  ...generalKeys,
  ...sttKeys,
  ...ttsKeys,
  ...llmKeys,
  ...storeKeys,
  ...callKeys,
  ...toolKeys,
  ...standinKeys,
  ...ariKeys,
} as const satisfies KeyTable;

export type KeyName = keyof typeof allKeys;
/** The settings one call runs with: [general] overlaid by its profile and the environment. */
export type Config = ValuesOf<typeof allKeys>;
