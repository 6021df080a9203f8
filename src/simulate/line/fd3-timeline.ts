import type { Fd3Frame } from '../asterisk/call-recorder.ts';

/**
 * The fd 3 frames laid out on the call clock at `rateHz` (frame n from sample n·20 ms on), silence
 * where nothing was sent: what the program could have heard, sample-aligned with playback times.
 */
export function fd3Timeline(frames: readonly Fd3Frame[], rateHz: number, minSamples = 0): Int16Array {
  const frameSamples = (rateHz * 20) / 1000;
  const last = frames.reduce((end, frame) => Math.max(end, frame.index * frameSamples + frame.samples.length), 0);
  const out = new Int16Array(Math.max(last, minSamples));
  for (const frame of frames) out.set(frame.samples.subarray(0, out.length - frame.index * frameSamples), frame.index * frameSamples);
  return out;
}
