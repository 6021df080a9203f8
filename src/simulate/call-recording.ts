import type { CommandRecord, PlaybackRecord } from './asterisk/engine.ts';
import { resampleLinear } from './asterisk/sounds.ts';
import type { FakeCallResult, FakeEvent } from './fake-asterisk.ts';

/** Interleaved stereo samples of the call: caller left, bot right, one time line. */
export function mixStereo(caller: Int16Array, callerEndMs: number, playbacks: readonly PlaybackRecord[], rateHz: number, durationMs: number): Int16Array {
  const frames = Math.ceil((durationMs / 1000) * rateHz);
  const out = new Int16Array(frames * 2);
  const callerFrames = Math.min(caller.length, frames, Math.floor((callerEndMs / 1000) * rateHz));
  for (let i = 0; i < callerFrames; i += 1) out[i * 2] = caller[i] ?? 0;
  for (const playback of playbacks) {
    const samples = resampleLinear(playback.samples, playback.sampleRateHz, rateHz);
    const start = Math.floor((playback.startMs / 1000) * rateHz);
    for (let i = 0; i < samples.length && start + i < frames; i += 1) out[(start + i) * 2 + 1] = samples[i] ?? 0;
  }
  return out;
}

/** Stretches where the caller speaks, by frame energy (20 ms frames, 300 ms hangover). */
export function speechSegments(samples: Int16Array, rateHz: number, thresholdRms = 400): { startMs: number; endMs: number }[] {
  const frame = (rateHz * 20) / 1000;
  const segments: { startMs: number; endMs: number }[] = [];
  let open: { startMs: number; endMs: number } | undefined;
  for (let offset = 0; offset + frame <= samples.length; offset += frame) {
    let sum = 0;
    for (let i = offset; i < offset + frame; i += 1) sum += (samples[i] ?? 0) ** 2;
    const loud = Math.sqrt(sum / frame) >= thresholdRms;
    const t = (offset / rateHz) * 1000;
    if (loud) {
      if (open === undefined) open = { startMs: t, endMs: t + 20 };
      else open.endMs = t + 20;
    } else if (open !== undefined && t - open.endMs > 300) {
      if (open.endMs - open.startMs >= 200) segments.push(open);
      open = undefined;
    }
  }
  if (open !== undefined && open.endMs - open.startMs >= 200) segments.push(open);
  return segments;
}

export function formatClock(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const minutes = Math.floor(total / 60000);
  const seconds = Math.floor((total % 60000) / 1000);
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}.${String(total % 1000).padStart(3, '0')}`;
}

/** Human transcript of the call, from what the fake Asterisk recorded. */
export function formatTranscript(result: FakeCallResult, caller: Int16Array, header: string): string {
  const lines: { t: number; text: string }[] = [];
  const callerEndMs = result.hangupAtMs ?? result.exitAtMs;
  for (const segment of speechSegments(caller, result.channelRateHz)) {
    if (segment.startMs >= callerEndMs) continue;
    lines.push({ t: segment.startMs, text: `CALLER  speaks ${((Math.min(segment.endMs, callerEndMs) - segment.startMs) / 1000).toFixed(2)} s (until ${formatClock(Math.min(segment.endMs, callerEndMs))})` });
  }
  for (const playback of result.playbacks) {
    const seconds = playback.samples.length / playback.sampleRateHz;
    lines.push({ t: playback.startMs, text: `BOT     plays ${playback.file} (${seconds.toFixed(2)} s, ${playback.how})` });
  }
  for (const command of result.commands) {
    if (/^(STREAM FILE|WAIT FOR DIGIT|GET VARIABLE|GET FULL VARIABLE voicebot-interrupt)/i.test(command.cmd)) continue;
    const reply = command.reply.length === 0 ? '(no reply)' : command.reply[0];
    lines.push({ t: command.t_ms, text: `AGI     ${command.cmd} -> ${reply}` });
  }
  for (const event of result.events) {
    const text = describeEvent(event);
    if (text !== undefined) lines.push({ t: event.t_ms, text });
  }
  lines.sort((a, b) => a.t - b.t);
  return `${header}\n${lines.map((line) => `${formatClock(line.t)}  ${line.text}`).join('\n')}\n`;
}

function describeEvent(event: FakeEvent): string | undefined {
  switch (event.kind) {
    case 'dtmf': return `CALLER  presses ${String(event['digit'])}${event['heard'] === true ? '' : ' (lost: no command was listening)'}`;
    case 'hangup': return event['cause'] === 'caller' ? 'CALLER  hangs up' : `CALL    hung up (${String(event['cause'])})`;
    case 'exit': return `CALL    voicebot exited (code ${String(event['code'])}${event['signal'] ? `, signal ${String(event['signal'])}` : ''})`;
    case 'kill': return 'CALL    voicebot killed: it did not exit in time';
    default: return undefined;
  }
}

/** Commands and events merged on one time line, one JSON object per line. */
export function formatCommandLog(commands: readonly CommandRecord[], events: readonly FakeEvent[]): string {
  const rows: { t_ms: number }[] = [...commands, ...events];
  rows.sort((a, b) => a.t_ms - b.t_ms);
  return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length > 0 ? '\n' : '');
}
