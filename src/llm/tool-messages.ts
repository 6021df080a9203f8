import type { ChatMessage } from './types.ts';

/**
 * The messages of one tool exchange, as each tool protocol carries them: Ollama's native
 * `tool_calls` and `role: tool` results, or (text markers) the model's own text and a user message
 * marked as a tool result, never as the caller's words.
 */
export function toolCallMessage(mode: 'native' | 'text', roundText: string, calls: readonly { name: string; args: unknown }[]): ChatMessage {
  return mode === 'native'
    ? { role: 'assistant', content: roundText, tool_calls: calls.map((c) => ({ function: { name: c.name, arguments: asRecord(c.args) } })) }
    : { role: 'assistant', content: roundText };
}

export function toolResultMessage(mode: 'native' | 'text', name: string, content: string): ChatMessage {
  return mode === 'native'
    ? { role: 'tool', tool_name: name, content }
    : { role: 'user', content: `(Result of tool ${name}, not the caller's words: ${content})` };
}

/** The result of a call refused before it ran (unknown tool, transfer off the whitelist). */
export function refusedToolResult(reason: string): string {
  return `error: ${reason}. Tell the caller briefly that this cannot be done.`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
}
