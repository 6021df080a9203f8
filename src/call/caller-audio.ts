import { join } from 'node:path';
import { writeWav } from '../audio/wav.ts';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import { callAudioDir } from '../tts/render.ts';
import type { Utterance } from './ports.ts';

/** Saves one caller utterance as `<cache_dir>/calls/<call>/caller-NNNN.wav`; undefined when it cannot. */
export function saveUtteranceWav(cacheDir: string, callId: string, utterance: Utterance, seq: number, log: Logger): string | undefined {
  if (utterance.audio === undefined || utterance.audio.samples.length === 0) return undefined;
  try {
    const path = join(callAudioDir(cacheDir, callId), `caller-${String(seq).padStart(4, '0')}.wav`);
    writeWav(path, { sampleRateHz: utterance.audio.sampleRateHz, channels: 1, samples: utterance.audio.samples });
    return path;
  } catch (error) {
    log.warn('CALL', 'could not save the caller recording', { error: errorMessage(error) });
    return undefined;
  }
}
