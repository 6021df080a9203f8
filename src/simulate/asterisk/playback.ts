import type { EngineHost, PlaybackRecord } from './engine-types.ts';
import type { Sound } from './sounds.ts';

const FRAME_MS = 20;

/** A sound being played to the caller. */
export interface Playback {
  /** Stop (if still playing) and return the sample position reached (frame granularity, as Asterisk). */
  stop(how: PlaybackRecord['how']): number;
}

/**
 * Start playing `sound` from sample `offset` on the host's clock; `completed` runs when it plays
 * to the end. Every playback is reported to the host once, however it ends.
 */
export function startPlayback(host: EngineHost, sound: Sound, offset: number, completed: () => void): Playback {
  const total = sound.samples.length;
  const from = Math.min(Math.max(0, offset), total);
  const startMs = host.nowMs();
  const samplesPerFrame = (sound.sampleRateHz * FRAME_MS) / 1000;
  let stopped = false;
  const ended = host.playbackStarted?.({ startMs, samples: sound.samples.subarray(from), sampleRateHz: sound.sampleRateHz });
  const record = (to: number, how: PlaybackRecord['how']) => {
    ended?.(to - from);
    host.played({ startMs, file: sound.path, samples: sound.samples.subarray(from, to), sampleRateHz: sound.sampleRateHz, how });
  };
  const cancel = host.after(((total - from) / sound.sampleRateHz) * 1000, () => {
    stopped = true;
    record(total, 'completed');
    completed();
  });
  return {
    stop: (how) => {
      const frames = Math.floor((host.nowMs() - startMs) / FRAME_MS);
      const position = Math.min(total, from + frames * samplesPerFrame);
      if (!stopped) {
        stopped = true;
        cancel();
        record(position, how);
      }
      return position;
    },
  };
}
