import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { VoicebotError } from '../errors.ts';
import { ESPEAK_FIX, espeakDataProblem } from './espeak-data.ts';
import { encodeMetadataProps } from './onnx-metadata.ts';

/** What voicebot reads from a Piper `.onnx.json`. */
export interface PiperVoiceConfig {
  sampleRateHz: number;
  espeakVoice: string;
  language: string;
  numSpeakers: number;
  noiseScale: number;
  lengthScale: number;
  noiseW: number;
  /** Single-character phoneme → id (multi-character entries cannot be tokens for sherpa-onnx). */
  tokens: [string, number][];
}

/** A voice ready for sherpa-onnx: model with metadata, tokens.txt, and the settings. */
export interface PreparedVoice {
  sourcePath: string;
  modelPath: string;
  tokensPath: string;
  config: PiperVoiceConfig;
  /** False when an earlier preparation was reused. */
  prepared: boolean;
}

/** Bump when the prepared layout changes, so old cache entries are not reused. */
const PREPARATION_VERSION = 1;

function fail(code: string, message: string): never {
  throw new VoicebotError(code, message);
}

/** Read and check `<voice>.onnx.json`; errors name the file and the fix. */
export function readPiperConfig(jsonPath: string): PiperVoiceConfig {
  if (!existsSync(jsonPath)) {
    fail('TTS_VOICE_CONFIG_MISSING', `Piper voice config ${jsonPath} is missing. Fix: download the .onnx.json that belongs to the voice and put it beside the .onnx with the same name plus .json`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    fail('TTS_VOICE_CONFIG_BAD', `${jsonPath} is not valid JSON (${(error as Error).message}). Fix: download the voice's .onnx.json again`);
  }
  const map = raw['phoneme_id_map'];
  if (map === null || typeof map !== 'object' || Array.isArray(map) || Object.keys(map).length === 0) {
    fail('TTS_VOICE_NO_PHONEME_MAP', `${jsonPath} has no phoneme_id_map, so it is not a Piper voice config. Fix: use the .onnx.json published with the voice (Piper voices from rhasspy/piper-voices have one)`);
  }
  const tokens: [string, number][] = [];
  for (const [symbol, ids] of Object.entries(map as Record<string, unknown>)) {
    const id = Array.isArray(ids) ? Number(ids[0]) : Number.NaN;
    if (!Number.isInteger(id)) fail('TTS_VOICE_CONFIG_BAD', `${jsonPath}: phoneme_id_map entry ${JSON.stringify(symbol)} has no integer id. Fix: download the voice's .onnx.json again`);
    if ([...symbol].length === 1 && (symbol === ' ' || !/\s/.test(symbol))) tokens.push([symbol, id]);
  }
  const section = (name: string) => (typeof raw[name] === 'object' && raw[name] !== null ? raw[name] as Record<string, unknown> : {});
  const sampleRateHz = Number(section('audio')['sample_rate'] ?? 22050);
  if (!Number.isInteger(sampleRateHz) || sampleRateHz < 8000 || sampleRateHz > 48000) {
    fail('TTS_VOICE_CONFIG_BAD', `${jsonPath}: audio.sample_rate ${String(section('audio')['sample_rate'])} is not a usable rate. Fix: download the voice's .onnx.json again`);
  }
  const espeakVoice = String(section('espeak')['voice'] ?? 'en-us');
  const languageSection = section('language');
  const inference = section('inference');
  const number = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
  return {
    sampleRateHz,
    espeakVoice,
    language: String(languageSection['name_english'] ?? languageSection['code'] ?? espeakVoice),
    numSpeakers: Math.max(1, Math.round(number(raw['num_speakers'], 1))),
    noiseScale: number(inference['noise_scale'], 0.667),
    lengthScale: number(inference['length_scale'], 1),
    noiseW: number(inference['noise_w'], 0.8),
    tokens,
  };
}

/** Metadata sherpa-onnx reads to run a Piper (VITS) model with its espeak-ng front end. */
export function sherpaMetadata(config: PiperVoiceConfig): Record<string, string> {
  return {
    model_type: 'vits',
    comment: 'piper',
    language: config.language,
    voice: config.espeakVoice,
    has_espeak: '1',
    n_speakers: String(config.numSpeakers),
    sample_rate: String(config.sampleRateHz),
  };
}

export function tokensText(config: PiperVoiceConfig): string {
  return config.tokens.map(([symbol, id]) => `${symbol} ${id}\n`).join('');
}

/**
 * Prepare `voicePath` (+ `.json`) for sherpa-onnx once and cache the result under `cacheDir`, keyed
 * by the voice's path, size and mtime and the config's content. Safe when several call processes
 * prepare the same voice at once: each builds in its own temp folder, the first rename wins.
 */
export function preparePiperVoice(voicePath: string, cacheDir: string): PreparedVoice {
  const sourcePath = resolve(voicePath);
  if (!existsSync(sourcePath) || !statSync(sourcePath).isFile()) {
    fail('TTS_VOICE_MISSING', `Piper voice ${sourcePath} does not exist. Fix: set piper_voice to a downloaded voice .onnx (e.g. en_US-lessac-medium.onnx) with its .onnx.json beside it`);
  }
  const jsonPath = `${sourcePath}.json`;
  const config = readPiperConfig(jsonPath);
  const stat = statSync(sourcePath);
  const hash = createHash('sha256')
    .update(`${PREPARATION_VERSION}\0${sourcePath}\0${stat.size}\0${stat.mtimeMs}\0`)
    .update(readFileSync(jsonPath))
    .digest('hex')
    .slice(0, 16);
  const dir = join(resolve(cacheDir), `${basename(sourcePath, '.onnx')}-${hash}`);
  const result = { sourcePath, modelPath: join(dir, 'model.onnx'), tokensPath: join(dir, 'tokens.txt'), config };
  if (existsSync(join(dir, 'ready'))) return { ...result, prepared: false };

  const model = readFileSync(sourcePath);
  if (model.byteLength < 16 || model[0] !== 0x08) {
    fail('TTS_VOICE_CORRUPT', `${sourcePath} is not an ONNX model (it does not start like one). Fix: download the voice .onnx again`);
  }
  mkdirSync(resolve(cacheDir), { recursive: true });
  const temp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(temp, { recursive: true });
  try {
    writeFileSync(join(temp, 'model.onnx'), Buffer.concat([model, encodeMetadataProps(sherpaMetadata(config))]));
    writeFileSync(join(temp, 'tokens.txt'), tokensText(config));
    writeFileSync(join(temp, 'source.txt'), `${sourcePath}\n`);
    writeFileSync(join(temp, 'ready'), '');
    try {
      renameSync(temp, dir);
    } catch (error) {
      if (!existsSync(join(dir, 'ready'))) throw error; // another process finished first otherwise
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return { ...result, prepared: true };
}

/** Check an espeak-ng data folder holds the phoneme tables and the voice's dictionary (espeak-data.ts). */
export function checkEspeakData(dir: string, espeakVoice: string): void {
  const problem = espeakDataProblem(dir, espeakVoice);
  if (problem !== undefined) fail('TTS_ESPEAK_DATA_MISSING', `${problem}. Fix: ${ESPEAK_FIX}`);
}
