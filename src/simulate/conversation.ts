import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load.ts';
import { errorMessage } from '../errors.ts';
import { openReader } from '../store/open.ts';
import { callDetail, listCalls } from '../store/read.ts';
import type { CallRow, TurnRow } from '../store/types.ts';

/**
 * The conversation of the newest call in the call log the config points at, as readable lines:
 * what the recognizer heard, what the bot said, and the timings the caller felt.
 */
export function conversationText(configPath: string, profile: string | undefined): string {
  let db;
  try {
    const config = loadConfig({ path: configPath, env: {} }).resolve(profile);
    if (!existsSync(config.db_path)) return `(no call log at ${config.db_path})\n`;
    db = openReader(config.db_path);
    const newest = listCalls(db, { limit: 1 })[0];
    if (newest === undefined) return '(the call log holds no call)\n';
    const detail = callDetail(db, newest);
    return formatConversation(detail.call, detail.turns);
  } catch (error) {
    return `(cannot read the call log: ${errorMessage(error)})\n`;
  } finally {
    db?.close();
  }
}

function formatConversation(call: CallRow, turns: readonly TurnRow[]): string {
  const lines = [`# conversation from the call log (call ${call.id})`];
  for (const turn of turns) {
    const who = turn.role === 'caller' ? 'CALLER' : 'BOT   ';
    const timings = turn.role === 'caller'
      ? [turn.stt_ms === null ? '' : `stt ${turn.stt_ms} ms`]
      : [turn.first_audio_ms === null ? '' : `first audio ${turn.first_audio_ms} ms after the caller stopped`,
        turn.llm_first_token_ms === null ? '' : `llm first token ${turn.llm_first_token_ms} ms`];
    const interrupted = turn.interrupted === 1 ? ` [interrupted; heard: "${turn.played_text ?? ''}"]` : '';
    const dtmf = turn.dtmf === null ? '' : ` [keys ${turn.dtmf}]`;
    const detail = timings.filter((part) => part !== '').join(', ');
    lines.push(`${who}  ${turn.text}${interrupted}${dtmf}${detail === '' ? '' : `  (${detail})`}`);
  }
  lines.push(`# ended: ${call.end_reason ?? '(not closed)'}, VOICEBOT_STATUS=${call.status ?? ''}`);
  return `${lines.join('\n')}\n`;
}
