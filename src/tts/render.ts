import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { durationMs, samplesAsBytes } from '../audio/pcm.ts';
import { resample } from '../audio/resample.ts';
import { writeFileAtomic } from '../audio/wav.ts';
import type { SynthesizeOptions, TtsEngine } from './engine.ts';

/** What Asterisk plays without transcoding work: raw slin at 8 kHz or 16 kHz. */
export type SoundFormat = 'sln' | 'sln16';

export const FORMAT_RATE_HZ: Record<SoundFormat, number> = { sln: 8000, sln16: 16000 };

export interface RenderedAudio {
  /** Absolute path WITHOUT extension: what `STREAM FILE` takes. */
  file: string;
  /** The file actually written (`file` + `.sln`/`.sln16`). */
  filePath: string;
  durationMs: number;
  sampleRateHz: number;
  /** Wall ms spent synthesising, resampling and writing (0 for a phrase cache hit). */
  synthMs: number;
  cached: boolean;
}

/** A call id made safe as one folder name: [A-Za-z0-9._-], no leading dot, at most 80 chars. */
export function sanitizeCallId(callId: string): string {
  const safe = callId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 80);
  return safe === '' ? 'call' : safe;
}

/** `<cacheDir>/calls/<sanitised call id>`, created. */
export function callAudioDir(cacheDir: string, callId: string): string {
  const dir = join(resolve(cacheDir), 'calls', sanitizeCallId(callId));
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function renderBytes(engine: TtsEngine, text: string, format: SoundFormat, options: SynthesizeOptions): Promise<{ bytes: Uint8Array; durationMs: number }> {
  const pcm = await engine.synthesize(text, options);
  const rateHz = FORMAT_RATE_HZ[format];
  const samples = resample(pcm.samples, pcm.sampleRateHz, rateHz);
  return { bytes: samplesAsBytes(samples), durationMs: durationMs(samples, rateHz) };
}

/**
 * Speaks text into sound files for one call: each `render` writes `<callDir>/tts-NNNN.<format>`
 * atomically; `renderPhrase` serves fixed phrases (greeting, apology, goodbye) from a shared cache
 * keyed by voice, settings, format and text, so they play without synthesis.
 */
export class SpeechRenderer {
  readonly engine: TtsEngine;
  readonly callDir: string;
  readonly phraseDir: string;
  readonly format: SoundFormat;
  #sequence = 0;

  constructor(options: { engine: TtsEngine; cacheDir: string; callId: string; format?: SoundFormat }) {
    this.engine = options.engine;
    this.format = options.format ?? 'sln';
    this.callDir = callAudioDir(options.cacheDir, options.callId);
    this.phraseDir = join(resolve(options.cacheDir), 'phrases');
  }

  /** Rate of the files written (8000 for sln, 16000 for sln16). */
  get sampleRateHz(): number { return FORMAT_RATE_HZ[this.format]; }

  async render(text: string, options: SynthesizeOptions = {}): Promise<RenderedAudio> {
    const started = performance.now();
    this.#sequence += 1;
    const file = join(this.callDir, `tts-${String(this.#sequence).padStart(4, '0')}`);
    const filePath = `${file}.${this.format}`;
    const audio = await renderBytes(this.engine, text, this.format, options);
    writeFileAtomic(filePath, audio.bytes);
    return { file, filePath, durationMs: audio.durationMs, sampleRateHz: this.sampleRateHz, synthMs: performance.now() - started, cached: false };
  }

  /** The phrase cache key: voice + settings + format + exact text. */
  phraseKey(text: string): string {
    return createHash('sha256').update(`${this.engine.cacheKey}\0${this.format}\0${text.trim()}`).digest('hex').slice(0, 32);
  }

  async renderPhrase(text: string, options: SynthesizeOptions = {}): Promise<RenderedAudio> {
    const started = performance.now();
    const file = join(this.phraseDir, this.phraseKey(text));
    const filePath = `${file}.${this.format}`;
    if (existsSync(filePath)) {
      return { file, filePath, durationMs: (statSync(filePath).size / 2 / this.sampleRateHz) * 1000, sampleRateHz: this.sampleRateHz, synthMs: 0, cached: true };
    }
    const audio = await renderBytes(this.engine, text, this.format, options);
    mkdirSync(this.phraseDir, { recursive: true });
    writeFileAtomic(filePath, audio.bytes);
    return { file, filePath, durationMs: audio.durationMs, sampleRateHz: this.sampleRateHz, synthMs: performance.now() - started, cached: false };
  }
}
