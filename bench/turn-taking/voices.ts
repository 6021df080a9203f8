/**
 * Synthetic speech for the turn-taking corpus: espeak-ng and flite voices, resampled to 8 kHz and
 * trimmed to the speech itself. Each utterance is cached under a temp folder (never in the repo),
 * keyed by a hash of everything that shapes it (engine and its version, voice, speed, pitch, text),
 * so a second run spawns no synthesizer and gives the same samples.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resample } from '../../src/audio/resample.ts';
import { bytesToPcm, pcmToBytes, readWav, writeFileAtomic } from '../../src/audio/wav.ts';

export const RATE_HZ = 8000;
/** Bump when the synthesis or trimming below changes: it invalidates every cached utterance. */
const GENERATOR_VERSION = 1;

export interface Voice {
  engine: 'espeak-ng' | 'flite';
  name: string;
  /** espeak-ng -s (words per minute). */
  speedWpm?: number;
  /** espeak-ng -p (0..99). */
  pitch?: number;
  /** flite duration_stretch (1 = the voice's own pace). */
  stretch?: number;
}

/** Callers: four espeak-ng variants and four flite voices. */
export const CALLER_VOICES: readonly Voice[] = [
  { engine: 'espeak-ng', name: 'en-us', speedWpm: 165, pitch: 50 },
  { engine: 'flite', name: 'slt' },
  { engine: 'espeak-ng', name: 'en-gb', speedWpm: 145, pitch: 40 },
  { engine: 'flite', name: 'kal' },
  { engine: 'espeak-ng', name: 'en-us+f3', speedWpm: 175, pitch: 65 },
  { engine: 'flite', name: 'awb', stretch: 1.1 },
  { engine: 'espeak-ng', name: 'en-gb+m3', speedWpm: 135, pitch: 35 },
  { engine: 'flite', name: 'rms', stretch: 0.95 },
];

/** The bot (replies and greeting): voices no caller uses. */
export const BOT_VOICES: readonly Voice[] = [
  { engine: 'espeak-ng', name: 'en-gb-x-rp+f2', speedWpm: 170, pitch: 55 },
  { engine: 'flite', name: 'kal16', stretch: 1.05 },
];

/** Babble talkers: yet other voices, mixed together. */
export const BABBLE_VOICES: readonly Voice[] = [
  { engine: 'espeak-ng', name: 'en-us+m1', speedWpm: 160, pitch: 45 },
  { engine: 'espeak-ng', name: 'en-gb+f1', speedWpm: 170, pitch: 70 },
  { engine: 'espeak-ng', name: 'en-us+m4', speedWpm: 150, pitch: 30 },
  { engine: 'espeak-ng', name: 'en-gb-scotland+f4', speedWpm: 180, pitch: 60 },
];

export function voiceLabel(voice: Voice): string {
  const extras = [voice.speedWpm === undefined ? '' : `-s${voice.speedWpm}`, voice.pitch === undefined ? '' : `-p${voice.pitch}`, voice.stretch === undefined ? '' : `x${voice.stretch}`];
  return `${voice.engine === 'flite' ? 'flite:' : ''}${voice.name}${extras.join('')}`;
}

const toolVersions = new Map<string, string>();

function toolVersion(engine: Voice['engine']): string {
  let version = toolVersions.get(engine);
  if (version === undefined) {
    const probe = spawnSync(engine, ['--version'], { encoding: 'utf8' });
    // flite --version exits 1; what it prints is the version either way.
    version = `${probe.stdout}${probe.stderr}`.trim();
    if (probe.error !== undefined || !/version|text-to-speech/i.test(version)) throw new Error(`${engine} is not installed (apt-get install espeak-ng flite)`);
    toolVersions.set(engine, version);
  }
  return version;
}

/** Why the corpus cannot be made here, or undefined when both synthesizers run. */
export function synthesisUnavailable(): string | undefined {
  try {
    toolVersion('espeak-ng');
    toolVersion('flite');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Where cached utterances live: $VOICEBOT_BENCH_CACHE or the system temp folder. */
export function cacheDir(): string {
  return join(process.env['VOICEBOT_BENCH_CACHE'] ?? join(tmpdir(), 'voicebot-bench'), 'turn-taking');
}

/** Hex digest of a JSON value: the cache key of generator settings. */
export function settingsHash(settings: unknown): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 24);
}

function synthesizeWav(voice: Voice, text: string, file: string): void {
  const args = voice.engine === 'espeak-ng'
    ? ['-v', voice.name, ...(voice.speedWpm === undefined ? [] : ['-s', String(voice.speedWpm)]), ...(voice.pitch === undefined ? [] : ['-p', String(voice.pitch)]), '-w', file, '--', text]
    : ['-voice', voice.name, ...(voice.stretch === undefined ? [] : ['--setf', `duration_stretch=${voice.stretch}`]), '-t', text, '-o', file];
  const run = spawnSync(voice.engine, args, { encoding: 'utf8' });
  if (run.error !== undefined || run.status !== 0) throw new Error(`${voice.engine} ${voice.name} failed: ${run.stderr || run.error?.message}`);
}

/** The samples from the first to the last one above 1 % of the peak: speech without lead-in or tail. */
export function trimSilence(samples: Int16Array): Int16Array {
  let peak = 0;
  for (const value of samples) peak = Math.max(peak, Math.abs(value));
  const floor = Math.max(64, peak * 0.01);
  let first = 0;
  while (first < samples.length && Math.abs(samples[first] ?? 0) <= floor) first += 1;
  let last = samples.length - 1;
  while (last > first && Math.abs(samples[last] ?? 0) <= floor) last -= 1;
  return samples.slice(first, last + 1);
}

/** One utterance at 8 kHz, trimmed, from the cache or the synthesizer. */
export function speak(voice: Voice, text: string): Int16Array {
  const key = settingsHash({ GENERATOR_VERSION, rateHz: RATE_HZ, voice, text, tool: toolVersion(voice.engine) });
  const dir = cacheDir();
  const file = join(dir, `${key}.s16`);
  if (existsSync(file)) return bytesToPcm(readFileSync(file));
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'voicebot-tts-'));
  try {
    const wav = join(work, 'out.wav');
    synthesizeWav(voice, text, wav);
    const pcm = readWav(wav);
    const samples = trimSilence(resample(pcm.samples, pcm.sampleRateHz, RATE_HZ));
    writeFileAtomic(file, pcmToBytes(samples));
    return samples;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
