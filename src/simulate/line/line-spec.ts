import { existsSync } from 'node:fs';
import { isNoiseKind, NOISE_KINDS, type NoiseKind } from '../../audio/noise.ts';
import { readWav } from '../../audio/wav.ts';
import { UsageError } from '../../errors.ts';
import { speechUnavailable } from '../caller-speech.ts';
import { babbleSamples } from './babble.ts';
import type { LineEcho, LineGap, LineNoise, PhoneLineOptions } from './line-options.ts';

/** A noise as asked for on the command line: a generated kind, babble, or a WAV file to loop. */
export interface NoiseSpec {
  source: NoiseKind | 'babble' | { file: string };
  levelDbfs: number;
}

/** The phone line as asked for on the command line, checked; files are read by `preparePhoneLine`. */
export interface PhoneLineSpec {
  noise: NoiseSpec[];
  echo?: LineEcho;
  muLaw: boolean;
  gaps: LineGap[];
  /** Seed of the first generated noise (the n-th uses seed + n). */
  seed: number;
}

const NOISE_NAMES = `${NOISE_KINDS.join(', ')}, babble or a 16-bit mono WAV file (looped)`;

/** `2.5s`, `1200ms`; a bare number is in `bareUnit` (or refused without one). */
export function parseDurationMs(text: string, what: string, bareUnit?: 'ms' | 's'): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(text.trim());
  const unit = match?.[2]?.toLowerCase() ?? bareUnit;
  if (match === null || unit === undefined) throw new UsageError(`${what}: ${JSON.stringify(text)} is not a duration; write it with a unit, e.g. 100ms or 2.5s`);
  const value = Number.parseFloat(match[1] ?? '');
  return unit === 'ms' ? value : value * 1000;
}

/** `pink@-30`, `hum50@-35dBFS`, `babble@-28`, `street.wav@-25`. */
export function parseNoiseSpec(text: string): NoiseSpec {
  const at = text.lastIndexOf('@');
  if (at <= 0) throw new UsageError(`--noise ${JSON.stringify(text)}: expected SOURCE@LEVEL, e.g. pink@-30, hum50@-35, babble@-28 or street.wav@-25 (SOURCE: ${NOISE_NAMES})`);
  const name = text.slice(0, at);
  const levelText = text.slice(at + 1).trim();
  const level = /^(-?\d+(?:\.\d+)?)\s*(?:dBFS|dB)?$/i.exec(levelText);
  const levelDbfs = level === null ? Number.NaN : Number.parseFloat(level[1] ?? '');
  if (!(levelDbfs >= -90 && levelDbfs <= 0)) {
    throw new UsageError(`--noise ${text}: level ${JSON.stringify(levelText)} is not an RMS level in dBFS from -90 to 0 (e.g. -35 a quiet room, -30 steady street noise, -20 very loud)`);
  }
  if (isNoiseKind(name)) return { source: name, levelDbfs };
  if (name === 'babble') {
    const missing = speechUnavailable();
    if (missing !== undefined) throw new UsageError(`--noise ${text}: babble is made with espeak-ng, but ${missing}; or use pink@${levelDbfs} or a WAV file`);
    return { source: 'babble', levelDbfs };
  }
  if (/\.wav$/i.test(name) || name.includes('/')) {
    if (!existsSync(name)) throw new UsageError(`--noise ${text}: no such file ${name}`);
    checkNoiseWav(name, text);
    return { source: { file: name }, levelDbfs };
  }
  throw new UsageError(`--noise ${text}: unknown noise ${JSON.stringify(name)}; use ${NOISE_NAMES}, e.g. pink@-30`);
}

function checkNoiseWav(path: string, spec: string): { samples: Int16Array; sampleRateHz: number } {
  let pcm;
  try {
    pcm = readWav(path);
  } catch (error) {
    throw new UsageError(`--noise ${spec}: ${path} is not a 16-bit PCM WAV (${error instanceof Error ? error.message : String(error)}; convert: sox in.ext -b 16 -e signed-integer -c 1 noise.wav)`);
  }
  if (pcm.channels !== 1) throw new UsageError(`--noise ${spec}: ${path} must be mono (convert: sox ${path} -c 1 noise.wav)`);
  if (!pcm.samples.some((value) => value !== 0)) throw new UsageError(`--noise ${spec}: ${path} is silent; it cannot be scaled to a level`);
  return pcm;
}

/** `12dB@100ms`: the echo `LOSS` dB quieter, `DELAY` later. */
export function parseEchoSpec(text: string): LineEcho {
  const match = /^(\d+(?:\.\d+)?)\s*(?:dB)?@(.+)$/i.exec(text.trim());
  if (match === null) throw new UsageError(`--echo ${JSON.stringify(text)}: expected LOSS@DELAY, e.g. 12dB@100ms (the echo 12 dB quieter, 100 ms late)`);
  const lossDb = Number.parseFloat(match[1] ?? '');
  const delayMs = parseDurationMs(match[2] ?? '', `--echo ${text}`);
  if (lossDb > 60) throw new UsageError(`--echo ${text}: a loss of ${lossDb} dB is no echo at all; use 0 to 60 dB (real lines: 6 to 30)`);
  if (delayMs > 2000) throw new UsageError(`--echo ${text}: a delay of ${delayMs} ms is not line echo; use 0 to 2000 ms (real lines: 20 to 300)`);
  return { lossDb, delayMs };
}

/** `2.5s+1.2s`: from 2.5 s of call time, 1.2 s without fd 3 bytes (bare numbers are seconds). */
export function parseGapSpec(text: string): LineGap {
  const parts = text.split('+');
  if (parts.length !== 2) throw new UsageError(`--gap ${JSON.stringify(text)}: expected START+LENGTH, e.g. 2.5s+1.2s (from 2.5 s into the call, 1.2 s with no fd 3 bytes)`);
  const atMs = parseDurationMs(parts[0] ?? '', `--gap ${text}`, 's');
  const durationMs = parseDurationMs(parts[1] ?? '', `--gap ${text}`, 's');
  if (durationMs < 20) throw new UsageError(`--gap ${text}: a gap shorter than one 20 ms frame changes nothing; e.g. 2.5s+1.2s`);
  return { atMs, durationMs };
}

/** The line options of `voicebot simulate`, checked (files exist, espeak-ng for babble); undefined when none is set. */
export function parsePhoneLine(options: { noise?: readonly string[]; noiseSeed?: string; echo?: string; mulaw?: boolean; gap?: readonly string[] }): PhoneLineSpec | undefined {
  const seed = Number(options.noiseSeed ?? '1');
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--noise-seed ${JSON.stringify(options.noiseSeed)}: use a whole number >= 0`);
  const spec: PhoneLineSpec = {
    noise: (options.noise ?? []).map(parseNoiseSpec),
    muLaw: options.mulaw === true,
    gaps: (options.gap ?? []).map(parseGapSpec),
    seed,
  };
  if (options.echo !== undefined) spec.echo = parseEchoSpec(options.echo);
  const active = spec.noise.length > 0 || spec.echo !== undefined || spec.muLaw || spec.gaps.length > 0;
  return active ? spec : undefined;
}

/** Reads the noise files and makes babble (cached in `cacheDir`) for a call at `rateHz`. */
export function preparePhoneLine(spec: PhoneLineSpec, where: { rateHz: number; cacheDir: string }): PhoneLineOptions {
  const noise = spec.noise.map((item, index): LineNoise => {
    const { source, levelDbfs } = item;
    if (source === 'babble') return { name: 'babble', samples: babbleSamples(where.cacheDir, where.rateHz), rateHz: where.rateHz, levelDbfs };
    if (typeof source === 'object') {
      const pcm = checkNoiseWav(source.file, `${source.file}@${levelDbfs}`);
      return { name: source.file, samples: pcm.samples, rateHz: pcm.sampleRateHz, levelDbfs };
    }
    return { kind: source, levelDbfs, seed: spec.seed + index };
  });
  const options: PhoneLineOptions = { noise, muLaw: spec.muLaw, gaps: spec.gaps };
  if (spec.echo !== undefined) options.echo = spec.echo;
  return options;
}

/** One line for the transcript header: what the line did. */
export function describePhoneLine(spec: PhoneLineSpec): string {
  const parts = [
    ...spec.noise.map((n) => `noise ${typeof n.source === 'object' ? n.source.file : n.source} at ${n.levelDbfs} dBFS`),
    ...(spec.echo === undefined ? [] : [`echo ${spec.echo.lossDb} dB down, ${spec.echo.delayMs} ms late`]),
    ...(spec.muLaw || spec.echo !== undefined ? ['G.711 mu-law'] : []),
    ...spec.gaps.map((g) => `gap ${(g.atMs / 1000).toFixed(2)} s + ${(g.durationMs / 1000).toFixed(2)} s`),
  ];
  return parts.join(', ');
}
