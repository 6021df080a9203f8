import { judgeCall } from '../simulate/call-verdict.ts';
import type { FakeCallResult } from '../simulate/fake-asterisk.ts';

/** fd 3 carries 8 kHz slin: 16 bytes per ms of caller audio. */
const FD3_BYTES_PER_MS = 16;

/** What one benchmark call showed, from the fake Asterisk's record and the call's own log. */
export interface CallFigures {
  /** End of each question -> first STREAM FILE of the reply (ms); null: no reply before the next question ended. */
  latenciesMs: (number | null)[];
  /** The call ran and exited cleanly without a failing VOICEBOT_STATUS, and was answered. */
  served: boolean;
  /** Why it was not served (empty when it was). */
  failures: string[];
  /** Caller audio the fake Asterisk could not write because the fd 3 pipe was full (ms). */
  fd3DroppedMs: number;
  /** The largest "fd 3 overrun" (audio read at once) after start-up, in ms; 0 when none (overrunsByPhase). */
  maxOverrunMs: number;
  /** The largest overrun during start-up: process start, ANSWER and the model loads behind the greeting. */
  maxStartupOverrunMs: number;
  /** Frames the call's own reader dropped because it fell behind ("process done ... fd3Dropped="). */
  readerDroppedFrames: number;
  /** CPU ms of the whole process ("process done ... cpuMs="); undefined when the line is missing. */
  cpuMs: number | undefined;
  /** Process lifetime in call ms (spawn -> exit). */
  lifetimeMs: number;
  /** Not answered because max_concurrent_calls was reached (VOICEBOT_STATUS=BUSY). */
  busy: boolean;
}

/**
 * Judges one call. Reply sounds are the per-call files under `<cache_dir>/calls/`; the greeting
 * and fillers come from the phrase cache and do not count as a reply.
 */
export function callFigures(result: FakeCallResult, logText: string, utteranceEndsMs: readonly number[]): CallFigures {
  const verdict = judgeCall(result, logText);
  const failures = [...verdict.reasons];
  if (!result.commands.some((command) => command.cmd === 'ANSWER')) failures.unshift('never answered');
  const { startup, conversation } = overrunsByPhase(logText);
  const done = /process done .*/.exec(logText)?.[0] ?? '';
  const cpu = /cpuMs=(\d+)/.exec(done);
  return {
    latenciesMs: replyLatencies(result, utteranceEndsMs),
    served: failures.length === 0,
    failures,
    fd3DroppedMs: result.fd3BytesDropped / FD3_BYTES_PER_MS,
    maxOverrunMs: Math.max(0, ...conversation),
    maxStartupOverrunMs: Math.max(0, ...startup),
    readerDroppedFrames: Number(/fd3Dropped=(\d+)/.exec(done)?.[1] ?? 0),
    cpuMs: cpu === null ? undefined : Number(cpu[1]),
    lifetimeMs: result.exitAtMs,
    busy: result.commands.some((command) => command.cmd === 'SET VARIABLE VOICEBOT_STATUS "BUSY"'),
  };
}

/** For each question's end, the first reply STREAM FILE after it and before the next question ends. */
export function replyLatencies(result: Pick<FakeCallResult, 'commands'>, endsMs: readonly number[]): (number | null)[] {
  const replies = result.commands.filter((record) => /^STREAM FILE \S+\/calls\//.test(record.cmd)).map((record) => record.t_ms);
  return endsMs.map((end, i) => {
    const next = endsMs[i + 1] ?? Infinity;
    const first = replies.find((t) => t > end && t < next);
    return first === undefined ? null : Math.round(first - end);
  });
}

const STARTUP_MARKERS = [/ \[CALL\] .* answered /, / \[STT\] .* model loaded /, / \[STT\] .* speech detector ready /, / \[PLAY\] .* played /];
/** After the last load the process works off what queued up meanwhile; a stall within this is still the load's. */
export const STARTUP_GRACE_MS = 1000;

/**
 * The "fd 3 overrun" log lines (audio read at once, in ms), split by when the backlog began to
 * build: during start-up (process start, ANSWER, the greeting while the speech model and detector
 * load: a one-off per call, until STARTUP_GRACE_MS after the last of them) or later, while the
 * caller talks. An overrun logged at T with A ms of audio means the reader stalled from T - A on.
 */
export function overrunsByPhase(logText: string): { startup: number[]; conversation: number[] } {
  const lines = logText.split('\n').map((line) => ({ line, atMs: Date.parse(line.slice(0, line.indexOf(' '))) }));
  const markerTimes = STARTUP_MARKERS.map((marker) => lines.find(({ line }) => marker.test(line))?.atMs).filter((ms): ms is number => ms !== undefined && Number.isFinite(ms));
  const startupEndMs = markerTimes.length === 0 ? Infinity : Math.max(...markerTimes) + STARTUP_GRACE_MS;
  const startup: number[] = [];
  const conversation: number[] = [];
  for (const { line, atMs } of lines) {
    const match = /fd 3 overrun.* audioMs=(\d+)/.exec(line);
    if (match === null) continue;
    const audioMs = Number(match[1]);
    (Number.isFinite(atMs) && atMs - audioMs > startupEndMs ? conversation : startup).push(audioMs);
  }
  return { startup, conversation };
}
