import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load.ts';
import { errorMessage } from '../errors.ts';
import { openReader } from '../store/open.ts';
import { callDetail, listCalls } from '../store/read.ts';
import type { CallRow, TurnRow } from '../store/types.ts';
import type { CallerLine } from './call-recording.ts';

/**
 * The conversation of the newest call in the call log at `dbPath`, as readable lines: what the
 * recognizer heard (beside what the caller's WAV said, when known), what the bot said, and the
 * timings the caller felt. `said` is placed by the call's time line: call time 0 was the epoch
 * `callStartEpochMs`, and call time runs `timeScale` times faster than the call log's real clock.
 */
export function conversationText(dbPath: string, said?: { lines: readonly CallerLine[]; callStartEpochMs: number; timeScale: number }): string {
  let db;
  try {
    if (!existsSync(dbPath)) return `(no call log at ${dbPath})\n`;
    db = openReader(dbPath);
    const newest = listCalls(db, { limit: 1 })[0];
    if (newest === undefined) return '(the call log holds no call)\n';
    const detail = callDetail(db, newest);
    return formatConversation(detail.call, detail.turns, said);
  } catch (error) {
    return `(cannot read the call log: ${errorMessage(error)})\n`;
  } finally {
    db?.close();
  }
}

/** The call log a call with this config and these env overrides writes to. */
export function callLogPath(configPath: string, profile: string | undefined, env: NodeJS.ProcessEnv): string {
  return loadConfig({ path: configPath, env }).resolve(profile).db_path;
}

/** The known caller lines that overlap a caller turn (call time, with a margin for endpointing). */
function saidDuring(turn: TurnRow, said: { lines: readonly CallerLine[]; callStartEpochMs: number; timeScale: number }): string {
  if (turn.started_at === null || turn.ended_at === null) return '';
  const callTime = (iso: string) => (Date.parse(iso) - said.callStartEpochMs) * said.timeScale;
  const fromMs = callTime(turn.started_at) - 500;
  const toMs = callTime(turn.ended_at) + 500;
  return said.lines.filter((line) => line.endMs > fromMs && line.startMs < toMs).map((line) => line.text).join(' ');
}

function formatConversation(call: CallRow, turns: readonly TurnRow[], said: { lines: readonly CallerLine[]; callStartEpochMs: number; timeScale: number } | undefined): string {
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
    const spoken = turn.role === 'caller' && said !== undefined ? saidDuring(turn, said) : '';
    const heard = turn.role === 'caller' && said !== undefined ? `STT heard ${JSON.stringify(turn.text)}` : turn.text;
    lines.push(`${who}  ${heard}${interrupted}${dtmf}${detail === '' ? '' : `  (${detail})`}`);
    if (spoken !== '') lines.push(`        the caller's WAV said ${JSON.stringify(spoken)}`);
  }
  lines.push(`# ended: ${call.end_reason ?? '(not closed)'}, VOICEBOT_STATUS=${call.status ?? ''}`);
  return `${lines.join('\n')}\n`;
}
