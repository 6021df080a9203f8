import type { CallDetail, CallListRow } from '../store/read.ts';
import type { PruneResult } from '../store/prune.ts';
import type { CallRow, TurnRow } from '../store/types.ts';
import { escapeControls } from './terminal-text.ts';

/** Aligned text columns (control characters shown escaped); numeric columns (`right`) are right-aligned; the last column is not padded. */
export function formatTable(headers: string[], rawRows: string[][], right: ReadonlySet<number> = new Set()): string {
  const rows = rawRows.map((row) => row.map(escapeControls));
  const widths = headers.map((header, index) => Math.max(header.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, index) => {
    if (index === cells.length - 1 && !right.has(index)) return cell;
    return right.has(index) ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!);
  }).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** `voicebot calls list` for a terminal. */
export function formatCallList(rows: (CallListRow & { processGone?: boolean | undefined })[]): string {
  if (rows.length === 0) return 'no calls match\n';
  return formatTable(
    ['ID', 'STARTED', 'DURATION', 'CALLER', 'TURNS', 'END', 'STATUS', 'PROFILE'],
    rows.map((row) => [
      row.id,
      localTime(row.started_at),
      row.ended_at === null ? 'open' : duration(row.started_at, row.ended_at),
      callerText(row),
      String(row.turns),
      row.ended_at === null && row.processGone === true ? 'process gone' : row.end_reason ?? '-',
      row.status ?? '-',
      row.profile ?? '-',
    ]),
    new Set([2, 4]),
  );
}

/** `voicebot calls show` for a terminal: header block, the conversation with timings, events. */
export function formatCallDetail(detail: CallDetail & { processGone?: boolean | undefined }): string {
  const { call } = detail;
  const header = formatTable(['', ''], [
    ['call', `${call.id}   uniqueid ${call.uniqueid ?? '-'}   host ${call.host ?? '-'}`],
    ['caller', `${callerText(call)}   dnid ${call.dnid ?? '-'}   channel ${call.channel ?? '-'}`],
    ['dialplan', `context ${call.context ?? '-'}   extension ${call.extension ?? '-'}   profile ${call.profile ?? '-'}`],
    ['engines', `model ${call.model ?? '-'}   voice ${call.voice ?? '-'}`],
    ['started', `${localTime(call.started_at)}   answered ${offset(call.started_at, call.answered_at)}   ended ${offset(call.started_at, call.ended_at)}`],
    ['end', `${call.end_reason ?? (detail.processGone === true ? '(call not closed; its process is gone)' : '(call not closed)')}   status ${call.status ?? '-'}   outcome ${call.outcome ?? '-'}`],
  ]).split('\n').slice(1).join('\n');
  const turns = detail.turns.length === 0 ? 'no turns stored\n' : formatTable(
    ['#', 'AT', 'WHO', 'STT', 'LLM1ST', 'LLM', 'TTS', 'AUDIO1ST', 'TEXT'],
    detail.turns.map((turn) => [
      String(turn.seq),
      offset(call.started_at, turn.started_at ?? turn.ended_at),
      turn.role,
      msText(turn.stt_ms),
      msText(turn.llm_first_token_ms),
      msText(turn.llm_total_ms),
      msText(turn.tts_ms),
      msText(turn.first_audio_ms),
      turnText(turn),
    ]),
    new Set([0, 1, 3, 4, 5, 6, 7]),
  );
  const events = detail.events.length === 0 ? '' : `\nevents\n${formatTable(['AT', 'KIND', 'DETAIL'],
    detail.events.map((event) => [offset(call.started_at, event.at), event.kind, oneLine(event.detail ?? '')]), new Set([0]))}`;
  const tools = detail.toolCalls.length === 0 ? '' : `\ntool calls\n${formatTable(['AT', 'TOOL', 'ARGUMENTS', 'RESULT', 'MS', 'ANSWER'],
    detail.toolCalls.map((call) => [offset(detail.call.started_at, call.at), call.tool, oneLine(call.arguments ?? ''),
      `${call.code}${call.http_status === null ? '' : ` ${call.http_status}`}${call.waited === 1 ? ' (wait phrase)' : ''}`, msText(call.duration_ms), oneLine(call.result ?? '').slice(0, 120)]), new Set([0, 4]))}`;
  return `${header}\n${turns}${tools}${events}`;
}

export function formatPrune(result: PruneResult, before: Date, dryRun: boolean): string {
  const verb = dryRun ? 'would delete' : 'deleted';
  const lines = [
    `${verb} ${result.calls} call(s) started before ${localTime(before.toISOString())} (${result.turns} turns, ${result.events} events)`,
    `${verb} ${result.files.length} audio file(s) no longer referenced`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Rows as JSON: `interrupted` as a boolean, everything else as stored. */
export function detailJson(detail: CallDetail): Record<string, unknown> {
  return {
    ...detail.call,
    turns: detail.turns.map((turn) => ({ ...turn, interrupted: turn.interrupted === 1 })),
    events: detail.events,
    tool_calls: detail.toolCalls.map((call) => ({ ...call, waited: call.waited === 1 })),
  };
}

function turnText(turn: TurnRow): string {
  const parts = [oneLine(turn.text)];
  if (turn.interrupted === 1) parts.push(`[interrupted; heard: "${oneLine(turn.played_text ?? '')}"]`);
  else if (turn.unplayed === 1) parts.push(`[not all played; heard: "${oneLine(turn.played_text ?? '')}"]`);
  if (turn.dtmf !== null && turn.dtmf !== '') parts.push(`[dtmf ${turn.dtmf}]`);
  return parts.join(' ');
}

function callerText(call: Pick<CallRow, 'caller_number' | 'caller_name'>): string {
  const number = call.caller_number ?? '-';
  return call.caller_name === null || call.caller_name === '' ? number : `${number} "${call.caller_name}"`;
}

function msText(value: number | null): string {
  return value === null ? '' : String(value);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `YYYY-MM-DD HH:MM:SS` in the local time zone. */
export function localTime(iso: string): string {
  const date = new Date(iso);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function offset(fromIso: string, toIso: string | null): string {
  if (toIso === null) return '-';
  return `+${((Date.parse(toIso) - Date.parse(fromIso)) / 1000).toFixed(1)}s`;
}

function duration(fromIso: string, toIso: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes === 0 ? `${seconds}s` : `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
}
