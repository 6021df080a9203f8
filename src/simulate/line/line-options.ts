import type { NoiseKind } from '../../audio/noise.ts';

/**
 * What the phone line between the caller and Asterisk does to the audio the fake sends on fd 3.
 * Every effect is laid out on the call clock (frame n = call time n·20 ms), so runs are repeatable.
 */
export interface PhoneLineOptions {
  /** Background noise mixed into every frame the caller side sends, from the first frame to the last. */
  noise?: readonly LineNoise[];
  /** The bot's playback coming back into fd 3 (through G.711 mu-law). */
  echo?: LineEcho;
  /** Pass every fd 3 frame through G.711 mu-law (always on with `echo`). */
  muLaw?: boolean;
  /** Stretches of call time with no fd 3 bytes at all (a DTX / VAD trunk). */
  gaps?: readonly LineGap[];
}

/** A generated noise, or recorded samples played in a loop, at an RMS level in dBFS. */
export type LineNoise =
  | { kind: NoiseKind; levelDbfs: number; seed?: number }
  | { name: string; samples: Int16Array; rateHz: number; levelDbfs: number };

export interface LineEcho {
  /** Delay from the moment a sample is played to its echo on fd 3. */
  delayMs: number;
  /** How much quieter the echo is than the played audio (positive dB). */
  lossDb: number;
}

export interface LineGap {
  /** Call time of the first frame not sent. */
  atMs: number;
  durationMs: number;
}

/** True when the options change anything on fd 3. */
export function lineIsActive(options: PhoneLineOptions | undefined): boolean {
  return options !== undefined && ((options.noise?.length ?? 0) > 0 || options.echo !== undefined || options.muLaw === true || (options.gaps?.length ?? 0) > 0);
}
