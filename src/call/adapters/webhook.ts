import { readFileSync } from 'node:fs';
import type { Config } from '../../config/keys/index.ts';
import { ConfigError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { CallStore } from '../../store/call-store.ts';
import { checkWebhookUrl, WebhookSink } from '../../webhook/sink.ts';
import type { CallLog, CallOutcome, TurnRecord } from '../ports.ts';

/** While the caller still waits on the line (a transfer or handoff), the longest the process lingers for the webhook. */
const HANDBACK_FLUSH_MS = 200;

/** The profile's webhook, or undefined when webhook_url is empty. Throws ConfigError naming the key. */
export function webhookFromConfig(config: Config, configFile: string, log: Logger): WebhookSink | undefined {
  if (config.webhook_url === '') return undefined;
  const problem = checkWebhookUrl(config.webhook_url);
  if (problem !== undefined) throw new ConfigError('CONFIG_VALUE', { file: configFile, key: 'webhook_url' }, problem, 'set an http:// or https:// URL, or leave it empty');
  return new WebhookSink({
    url: config.webhook_url, timeoutMs: config.webhook_timeout_ms, maxAttempts: config.webhook_max_attempts,
    retryBaseMs: 500, maxQueued: 1000, headers: readHeaders(config.webhook_headers_file, configFile), log,
  });
}

function readHeaders(path: string, configFile: string): Record<string, string> {
  if (path === '') return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('CONFIG_VALUE', { file: configFile, key: 'webhook_headers_file' }, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      'make it readable by the user Asterisk runs as, or leave webhook_headers_file empty');
  }
  const headers: Record<string, string> = {};
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new ConfigError('CONFIG_VALUE', { file: path, line: index + 1, key: 'webhook_headers_file' }, 'not a `Name: value` line', 'write one header per line, e.g. Authorization: Bearer <token>');
    }
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * The call log, also posting turns and the call's end to the webhook. At the end the process waits
 * for undelivered events at most webhook_flush_ms (HANDBACK_FLUSH_MS while the caller is still on
 * the line); what is left is kept in the call log as webhook_undelivered events, one JSON body each.
 */
export function withWebhook(callLog: CallLog, sink: WebhookSink, options: { callId: string; store: CallStore; flushMs: number; log: Logger }): CallLog {
  const { callId, store } = options;
  let seq = 0;
  return {
    answered: () => callLog.answered(),
    event: (kind, detail) => callLog.event(kind, detail),
    turn: (turn: TurnRecord) => {
      callLog.turn(turn);
      seq += 1;
      sink.emit('turn', callId, {
        seq, role: turn.role, text: turn.text, interrupted: turn.interrupted === true, heard: turn.playedText ?? null,
        dtmf: turn.dtmf ?? null, sttMs: turn.sttMs ?? null, llmFirstTokenMs: turn.llmFirstTokenMs ?? null, firstAudioMs: turn.firstAudioMs ?? null,
      });
    },
    close: async (outcome: CallOutcome) => {
      sink.emit('call_ended', callId, { endReason: outcome.endReason, status: outcome.status, action: outcome.action, transferTo: outcome.transferTo ?? null });
      const callerWaits = outcome.action === 'transfer' || outcome.action === 'handoff';
      const flushed = await sink.flush(callerWaits ? Math.min(options.flushMs, HANDBACK_FLUSH_MS) : options.flushMs);
      const left = sink.undelivered;
      for (const body of left) store.addEvent(callId, 'webhook_undelivered', body);
      if (left.length > 0 || flushed.failed > 0 || flushed.dropped > 0) {
        options.log.warn('HOOK', 'webhook events not delivered; undelivered ones are in the call log', { pending: left.length, failed: flushed.failed, dropped: flushed.dropped, delivered: flushed.delivered });
      }
      sink.close();
      await callLog.close(outcome);
    },
  };
}
