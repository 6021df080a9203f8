import { LISTEN_SOUND_NAME } from '../call/listen-sound.ts';
import type { CommandRecord, PlaybackRecord } from './asterisk/engine.ts';
import { resampleLinear } from './asterisk/sounds.ts';
import type { FakeCallResult, FakeEvent, RecorderEntry } from './fake-asterisk.ts';

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

/** Words the caller's WAV is known to say (the built-in caller), in call time. */
export interface CallerLine {
  startMs: number;
  endMs: number;
  text: string;
}

/** A line of the timeline at call time `t`. */
export interface TimelineLine {
  t: number;
  text: string;
}

/**
 * The caller's side of the timeline: the known words when the script of the WAV is known,
 * otherwise the stretches of speech found by energy. Nothing after `callerEndMs` (the hangup).
 */
export function callerTimeline(caller: Int16Array, rateHz: number, callerEndMs: number, said?: readonly CallerLine[]): TimelineLine[] {
  if (said !== undefined) {
    return said.filter((line) => line.startMs < callerEndMs).map((line) => ({
      t: line.startMs, text: `CALLER  says ${JSON.stringify(line.text)} (${((line.endMs - line.startMs) / 1000).toFixed(2)} s)`,
    }));
  }
  return speechSegments(caller, rateHz).filter((segment) => segment.startMs < callerEndMs).map((segment) => ({
    t: segment.startMs,
    text: `CALLER  speaks ${((Math.min(segment.endMs, callerEndMs) - segment.startMs) / 1000).toFixed(2)} s (until ${formatClock(Math.min(segment.endMs, callerEndMs))})`,
  }));
}

/** The timeline line of one recorded observation; undefined for the ones left out (listening, the playback command itself). */
export function recordLine(entry: RecorderEntry): TimelineLine | undefined {
  switch (entry.type) {
    case 'playback': {
      const playback = entry.record;
      // Listening plays a silent sound to keep keys live: not something the caller hears.
      if (playback.file.includes(LISTEN_SOUND_NAME)) return undefined;
      const seconds = playback.samples.length / playback.sampleRateHz;
      return { t: playback.startMs, text: `BOT     plays ${playback.file} (${seconds.toFixed(2)} s, ${playback.how})` };
    }
    case 'command': {
      const command = entry.record;
      if (/^(STREAM FILE|WAIT FOR DIGIT|GET VARIABLE|GET FULL VARIABLE voicebot-interrupt)/i.test(command.cmd)) return undefined;
      const reply = command.reply.length === 0 ? '(no reply)' : command.reply[0];
      return { t: command.t_ms, text: `AGI     ${command.cmd} -> ${reply}` };
    }
    case 'event': {
      const text = describeEvent(entry.event);
      return text === undefined ? undefined : { t: entry.event.t_ms, text };
    }
  }
}

export function formatLine(line: TimelineLine): string {
  return `${formatClock(line.t)}  ${line.text}`;
}

/** Human transcript of the call, from what the fake Asterisk recorded. */
export function formatTranscript(result: FakeCallResult, caller: Int16Array, header: string, said?: readonly CallerLine[]): string {
  const lines = callerTimeline(caller, result.channelRateHz, result.hangupAtMs ?? result.exitAtMs, said);
  const entries: RecorderEntry[] = [
    ...result.playbacks.map((record) => ({ type: 'playback' as const, record })),
    ...result.commands.map((record) => ({ type: 'command' as const, record })),
    ...result.events.map((event) => ({ type: 'event' as const, event })),
  ];
  for (const entry of entries) {
    const line = recordLine(entry);
    if (line !== undefined) lines.push(line);
  }
  lines.sort((a, b) => a.t - b.t);
  return `${header}\n${lines.map(formatLine).join('\n')}\n`;
}

function describeEvent(event: FakeEvent): string | undefined {
  switch (event.kind) {
    case 'dtmf': return `CALLER  presses ${String(event['digit'])}${event['heard'] === true ? '' : ' (lost: no command was listening)'}`;
    case 'hangup': return event['cause'] === 'caller' ? 'CALLER  hangs up' : `CALL    hung up (${String(event['cause'])})`;
    case 'exit': return `CALL    voicebot exited (code ${String(event['code'])}${event['signal'] ? `, signal ${String(event['signal'])}` : ''})`;
    case 'kill': return 'CALL    voicebot killed: it did not exit in time';
    case 'asterisk_warning': return `ASTERISK logs ${String(event['message'])}`;
    default: return undefined;
  }
}

/** Commands and events merged on one time line, one JSON object per line. */
export function formatCommandLog(commands: readonly CommandRecord[], events: readonly FakeEvent[]): string {
  const rows: { t_ms: number }[] = [...commands, ...events];
  rows.sort((a, b) => a.t_ms - b.t_ms);
  return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length > 0 ? '\n' : '');
}
