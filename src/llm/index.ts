/** Public surface of the LLM stage; the call loop and `doctor` import from here. */
export { LlmConversation, type CallFacts, type ConversationOptions } from './conversation.ts';
export { OllamaBrain } from './brain.ts';
export { checkOllama } from './health.ts';
export { checkPromptFile, DEFAULT_PROMPT_TEMPLATE, loadPromptTemplate, PROMPT_VARIABLES } from './prompt.ts';
export { llmSettingsFrom, type LlmSettings, type TransferDestination } from './settings.ts';
export { speakable, SpeakableFilter } from './speakable.ts';
export { LlmError, type ChatMessage, type LlmFailureCode, type LlmOutcome, type LlmTurn, type LlmTurnStats } from './types.ts';
export { warmUpModel, type WarmUpResult } from './warm-up.ts';
