import type { Config } from '../config/keys/index.ts';
import { EnergyConfidence } from './confidence.ts';
import type { VoskSttOptions } from './vosk-stt.ts';

/** Engine options from the call's config (thresholds in dBFS become energy confidences). */
export function sttOptionsFromConfig(config: Pick<Config, 'speech_threshold_dbfs' | 'speech_start_ms' | 'speech_end_ms' | 'max_utterance_seconds' | 'barge_in_threshold_dbfs' | 'barge_in_min_ms'>): VoskSttOptions {
  const confidence = new EnergyConfidence({ speechDbfs: config.speech_threshold_dbfs });
  return {
    confidence,
    endpoint: { threshold: 0.5, startMs: config.speech_start_ms, stopMs: config.speech_end_ms },
    bargeIn: {
      threshold: Math.max(0.5, confidence.confidenceAt(config.barge_in_threshold_dbfs)),
      startMs: config.barge_in_min_ms,
      stopMs: config.speech_start_ms,
    },
    maxUtteranceMs: config.max_utterance_seconds * 1000,
  };
}
