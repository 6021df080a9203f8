import type { Config } from '../config/keys/index.ts';
import type { TurnTakerOptions, VadMode } from './turn-taker.ts';

export type TurnTakingConfig = Pick<Config,
  | 'vad' | 'echo_cancel' | 'speech_threshold_dbfs' | 'speech_start_ms' | 'speech_end_ms' | 'speech_pause_ms'
  | 'max_utterance_seconds' | 'barge_in_threshold_dbfs' | 'barge_in_min_ms'>;

/** Turn-taker options from the call's config: every key is used as set (none is clamped by another). */
export function turnTakerOptionsFromConfig(config: TurnTakingConfig, sampleRateHz: number): TurnTakerOptions {
  const mode: VadMode = config.vad === 'energy' ? 'energy' : config.echo_cancel ? 'silero+echo' : 'silero';
  return {
    mode, sampleRateHz,
    speechThresholdDbfs: config.speech_threshold_dbfs,
    bargeInThresholdDbfs: config.barge_in_threshold_dbfs,
    speechStartMs: config.speech_start_ms,
    endAfterFinalMs: config.speech_end_ms,
    endAfterPauseMs: config.speech_pause_ms,
    bargeInMinMs: config.barge_in_min_ms,
    maxUtteranceMs: config.max_utterance_seconds * 1000,
    cues: config.speech_pause_ms !== config.speech_end_ms,
    sileroThreshold: 0.5,
  };
}
