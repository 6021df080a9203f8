import type { Tool } from 'ollama';
import type { Logger } from '../log.ts';
import type { HostAllowlist } from './allowlist.ts';
import { toolDefinition } from './arguments.ts';
import { runHttpTool } from './http-tool.ts';
import type { HttpToolSpec, ToolResult } from './types.ts';

/** One executed tool call, as the call log and the webhook keep it. */
export interface ToolCallRecord {
  name: string;
  /** The arguments as the model sent them (before validation). */
  arguments: unknown;
  result: ToolResult;
  startedAtMs: number;
  /** The wait phrase was said while it ran. */
  waited: boolean;
}

export interface ToolRunnerOptions {
  specs: readonly HttpToolSpec[];
  allowlist: HostAllowlist;
  log: Logger;
  /** Every executed call, success or not (store + webhook). Must not throw. */
  onCall?: (record: ToolCallRecord) => void;
  fetchImpl?: typeof fetch;
}

/** The profile's HTTP tools for one call: what the model is offered, and running them with a wait phrase. */
export class ToolRunner {
  readonly specs: readonly HttpToolSpec[];
  readonly #options: ToolRunnerOptions;

  constructor(options: ToolRunnerOptions) {
    this.#options = options;
    this.specs = options.specs;
  }

  definitions(): Tool[] {
    return this.specs.map((spec) => toolDefinition(spec) as Tool);
  }

  spec(name: string): HttpToolSpec | undefined {
    return this.specs.find((spec) => spec.name === name.trim().toLowerCase());
  }

  /**
   * Run one call. `onWait` gets the tool's wait phrase when the request is still running after its
   * wait_after_ms. Never throws: every failure is a result the model can talk about.
   */
  async run(name: string, args: unknown, options: { signal: AbortSignal; onWait: (text: string) => void }): Promise<ToolResult> {
    const spec = this.spec(name);
    const startedAtMs = Date.now();
    if (spec === undefined) {
      return { code: 'TOOL_BAD_ARGUMENTS', content: `error: there is no tool named ${name.slice(0, 40)}.`, durationMs: 0 };
    }
    let waited = false;
    const timer = spec.waitText === '' ? undefined : setTimeout(() => {
      waited = true;
      options.onWait(spec.waitText);
    }, spec.waitAfterMs);
    let result: ToolResult;
    try {
      result = await runHttpTool(spec, args, { allowlist: this.#options.allowlist, signal: options.signal, ...(this.#options.fetchImpl === undefined ? {} : { fetchImpl: this.#options.fetchImpl }) });
    } finally {
      clearTimeout(timer);
    }
    const level = result.code === 'OK' || result.code === 'TOOL_ABORTED' ? 'info' : 'warn';
    this.#options.log[level]('TOOL', `tool ${name} ${result.code}`, {
      tool: spec.name, code: result.code, httpStatus: result.httpStatus, ms: Math.round(result.durationMs), waited,
      arguments: safeJson(args), result: result.content.slice(0, 300),
    });
    try {
      this.#options.onCall?.({ name: spec.name, arguments: args, result, startedAtMs, waited });
    } catch (error) {
      this.#options.log.warn('TOOL', 'recording a tool call failed', { error: String(error) });
    }
    return result;
  }
}

export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '(unserialisable)';
  }
}
