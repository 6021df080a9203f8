import { loadSherpaOnnx } from '../runtime/native.ts';
import { VoicebotError } from '../errors.ts';

/**
 * The thin typed view of sherpa-onnx-node's OfflineTts: the only file that touches the addon.
 * Both calls used here run on the addon's worker thread, so the event loop stays free.
 */
export interface SherpaVitsConfig {
  model: string;
  tokens: string;
  dataDir: string;
  noiseScale: number;
  noiseScaleW: number;
  lengthScale: number;
  numThreads: number;
}

export interface SherpaTts {
  readonly sampleRateHz: number;
  readonly numSpeakers: number;
  /** Float samples in [-1, 1]; `onProgress` returning false stops generation early. */
  generate(text: string, options: { sid: number; speed: number; onProgress?: () => boolean }): Promise<{ samples: Float32Array; sampleRateHz: number }>;
}

interface OfflineTtsInstance {
  sampleRate: number;
  numSpeakers: number;
  generateAsync(request: { text: string; sid: number; speed: number; enableExternalBuffer?: boolean; onProgress?: (info: unknown) => number }): Promise<{ samples: Float32Array; sampleRate: number }>;
}

interface SherpaModule {
  OfflineTts: { createAsync(config: unknown): Promise<OfflineTtsInstance> };
}

/** Create a sherpa-onnx OfflineTts for a prepared Piper voice (loads on a worker thread). */
export async function createSherpaTts(config: SherpaVitsConfig, sherpa?: unknown, sourcePath = config.model): Promise<SherpaTts> {
  const module = (sherpa ?? loadSherpaOnnx()) as SherpaModule;
  if (typeof module.OfflineTts?.createAsync !== 'function') {
    throw new VoicebotError('TTS_NATIVE_LOAD', 'sherpa-onnx-node has no OfflineTts.createAsync (version mismatch). Fix: reinstall voicebot');
  }
  let tts: OfflineTtsInstance;
  try {
    tts = await module.OfflineTts.createAsync({
      model: {
        vits: {
          model: config.model,
          tokens: config.tokens,
          dataDir: config.dataDir,
          noiseScale: config.noiseScale,
          noiseScaleW: config.noiseScaleW,
          lengthScale: config.lengthScale,
        },
        numThreads: config.numThreads,
        provider: 'cpu',
        debug: 0,
      },
      maxNumSentences: 1,
    });
  } catch (error) {
    throw new VoicebotError('TTS_VOICE_CORRUPT', `sherpa-onnx could not load the voice ${sourcePath} (prepared copy ${config.model}): ${(error as Error).message}. Fix: download the voice .onnx and .onnx.json again`, { cause: error });
  }
  return {
    sampleRateHz: tts.sampleRate,
    numSpeakers: tts.numSpeakers,
    async generate(text, options) {
      const onProgress = options.onProgress;
      const audio = await tts.generateAsync({
        text,
        sid: options.sid,
        speed: options.speed,
        enableExternalBuffer: false,
        ...(onProgress === undefined ? {} : { onProgress: () => (onProgress() ? 1 : 0) }),
      });
      return { samples: audio.samples, sampleRateHz: audio.sampleRate };
    },
  };
}
