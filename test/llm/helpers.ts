import { defaultConfig } from '../../src/config/load.ts';
import { LlmConversation } from '../../src/llm/conversation.ts';
import { llmSettingsFrom, type LlmSettings } from '../../src/llm/settings.ts';
import type { LlmOutcome, LlmTurn } from '../../src/llm/types.ts';
import { Logger, type LogRecord } from '../../src/log.ts';

/** Settings against a fake Ollama with short timeouts, so failure tests stay fast. */
export function testSettings(host: string, overrides: Partial<LlmSettings> = {}): LlmSettings {
  return {
    ...llmSettingsFrom({ ...defaultConfig(), transfer_destinations: ['sales=SIP/201', 'operator=0'] }),
    host,
    model: 'fake-demo',
    firstTokenTimeoutMs: 400,
    totalTimeoutMs: 1200,
    ...overrides,
  };
}

/** A logger that keeps its records (nothing written anywhere). */
export function recordingLogger(): { log: Logger; records: LogRecord[] } {
  const log = new Logger({ stderr: false, level: 'debug' });
  const records: LogRecord[] = [];
  log.addSink((record) => records.push(record));
  return { log, records };
}

export function conversation(settings: LlmSettings, log?: Logger): LlmConversation {
  return new LlmConversation({
    settings,
    call: { callerNumber: '5551234', callerName: 'Test Caller', profile: 'main', language: 'en-US' },
    ...(log === undefined ? {} : { log }),
  });
}

/** Drain a turn: all deltas and the outcome, with the wall time until the outcome. */
export async function drain(turn: LlmTurn): Promise<{ deltas: string[]; outcome: LlmOutcome; elapsedMs: number }> {
  const started = performance.now();
  const deltas: string[] = [];
  for await (const delta of turn.deltas) deltas.push(delta);
  const outcome = await turn.outcome;
  return { deltas, outcome, elapsedMs: performance.now() - started };
}
