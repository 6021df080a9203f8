import type { Config } from '../../config/keys/index.ts';
import { ConfigError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { SayDoMismatch } from '../../llm/say-do.ts';
import type { CallStore } from '../../store/call-store.ts';
import { HostAllowlist } from '../../tools/allowlist.ts';
import { safeJson, ToolRunner, type ToolCallRecord } from '../../tools/runner.ts';
import type { HttpToolSpec } from '../../tools/types.ts';

/** Something the call's business side reports outward (the webhook); must not throw. */
export type CallEventSink = (kind: 'tool_call' | 'say_do_mismatch', data: Record<string, unknown>) => void;

/**
 * The profile's business logic for one call: its HTTP tools (null when it has none) and where
 * tool calls and say/do mismatches are recorded: the call log, and the webhook when one is set.
 */
export function businessHooks(options: { config: Config; configFile: string; tools: readonly HttpToolSpec[]; store: CallStore; callId: string; log: Logger; emit: CallEventSink }) {
  const { config, store, callId, emit } = options;
  let runner: ToolRunner | undefined;
  if (options.tools.length > 0) {
    const parsed = HostAllowlist.parse(config.tool_allowed_hosts);
    if ('problem' in parsed) {
      throw new ConfigError('CONFIG_VALUE', { file: options.configFile, key: 'tool_allowed_hosts' }, parsed.problem,
        'list host names, addresses or networks separated by commas, e.g. crm.example.com, 10.0.0.0/8');
    }
    runner = new ToolRunner({
      specs: options.tools, allowlist: parsed.allowlist, log: options.log,
      onCall: (record: ToolCallRecord) => {
        const entry = {
          atMs: record.startedAtMs, tool: record.name, arguments: safeJson(record.arguments), code: record.result.code,
          httpStatus: record.result.httpStatus, durationMs: record.result.durationMs, waited: record.waited, result: record.result.content,
        };
        store.addToolCall(callId, entry);
        emit('tool_call', { tool: entry.tool, arguments: record.arguments, code: entry.code, httpStatus: entry.httpStatus ?? null,
          durationMs: Math.round(entry.durationMs), waited: entry.waited, result: entry.result });
      },
    });
  }
  const onSayDo = (mismatch: SayDoMismatch): void => {
    store.addEvent(callId, 'say_do_mismatch', `said ${mismatch.said}, did ${mismatch.did}; ${mismatch.policy}: ${mismatch.resolution}; "${mismatch.sentence.slice(0, 160)}"`);
    emit('say_do_mismatch', { ...mismatch });
  };
  return { tools: runner, onSayDo };
}
