import { silentLogger, type Logger } from '../log.ts';
import type { ToolRunner } from '../tools/runner.ts';
import type { SayDoMismatch } from './say-do.ts';
import { ChatHistory } from './history.ts';
import { DEFAULT_PROMPT_TEMPLATE, renderSystemPrompt } from './prompt.ts';
import type { LlmSettings } from './settings.ts';
import { startTurn } from './turn.ts';
import type { ChatMessage, LlmTurn } from './types.ts';

/** Who is calling and under which profile; fills the prompt template. */
export interface CallFacts {
  callerNumber: string;
  callerName: string;
  profile: string;
  language: string;
}

export interface ConversationOptions {
  settings: LlmSettings;
  call: CallFacts;
  /** Template text (see loadPromptTemplate); the built-in one when omitted. */
  template?: string;
  log?: Logger;
  /** Clock for {{date}}/{{time}}; tests pin it. */
  now?: () => Date;
  /** The profile's HTTP tools. */
  tools?: ToolRunner;
  /** Replies whose words and actions disagree. */
  onSayDo?: (mismatch: SayDoMismatch) => void;
}

/**
 * One call's conversation with the model: system prompt, history within budget, and the tool
 * protocol (switches to text markers for the rest of the call when the model refuses tools).
 * One turn at a time: await the previous outcome before the next `respond()`.
 */
export class LlmConversation {
  readonly #options: ConversationOptions;
  readonly #history: ChatHistory;
  #toolMode: 'auto' | 'native' | 'text';

  constructor(options: ConversationOptions) {
    this.#options = options;
    this.#history = new ChatHistory({ turns: options.settings.historyTurns, tokens: options.settings.historyTokens });
    this.#toolMode = options.settings.toolMode;
  }

  /**
   * Ask the model to answer what the caller said. Caller text goes in as a user message only,
   * never into the system prompt. `signal` is the barge-in/hangup scope of this bot turn.
   */
  respond(callerText: string, options: { signal?: AbortSignal } = {}): LlmTurn {
    const { settings } = this.#options;
    const log = this.#options.log ?? silentLogger;
    const history = this.#history.window();
    const messages = (mode: 'native' | 'text'): ChatMessage[] => [
      { role: 'system', content: this.systemPrompt(mode) },
      ...history,
      { role: 'user', content: callerText },
    ];
    log.info('LLM', 'request', { model: settings.model, historyMessages: history.length, text: callerText });
    const turn = startTurn({
      settings,
      toolMode: this.#toolMode,
      messages,
      callerText,
      signal: options.signal,
      log,
      onToolsUnsupported: () => { this.#toolMode = 'text'; },
      tools: this.#options.tools,
      onSayDo: this.#options.onSayDo,
    });
    const outcome = turn.outcome.then((result) => {
      this.#history.add('user', callerText);
      if (result.text !== '') this.#history.add('assistant', result.text);
      return result;
    });
    return { deltas: turn.deltas, outcome };
  }

  /** After a barge-in: remember only what the caller actually heard of the last reply. */
  setHeard(playedText: string): void {
    this.#history.replaceLastAssistant(playedText);
  }

  /** The system prompt for a tool protocol, as it would be sent now. */
  systemPrompt(mode: 'native' | 'text' = this.#toolMode === 'text' ? 'text' : 'native'): string {
    const { settings, call } = this.#options;
    return renderSystemPrompt(this.#options.template ?? DEFAULT_PROMPT_TEMPLATE, {
      ...call,
      timeZone: settings.timeZone,
      now: (this.#options.now ?? (() => new Date()))(),
    }, mode, { destinations: settings.destinations, patterns: settings.transferPatterns, tools: this.#options.tools?.specs ?? [] });
  }

  /** Every message so far (caller and bot), for the call log. */
  get history(): readonly ChatMessage[] {
    return this.#history.all;
  }

  get toolMode(): 'auto' | 'native' | 'text' {
    return this.#toolMode;
  }
}
