import { muLawDecodeBytes, muLawEncodeSamples } from '../../audio/g711.ts';
import { bytesToSamplesStrict, samplesAsBytes } from '../../audio/pcm.ts';
import { resample } from '../../audio/resample.ts';

/** The chan_websocket formats the fake speaks (20 ms ptime). */
export type MediaFormat = 'slin' | 'slin16' | 'ulaw';

export const MEDIA_FORMATS: readonly MediaFormat[] = ['slin', 'slin16', 'ulaw'];

export function formatRateHz(format: MediaFormat): number {
  return format === 'slin16' ? 16000 : 8000;
}

/** MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE: bytes of 20 ms (slin16 640, slin 320, ulaw 160). */
export function optimalFrameBytes(format: MediaFormat): number {
  return format === 'ulaw' ? 160 : (formatRateHz(format) / 50) * 2;
}

/** The byte that is silence in this format (mu-law 0xff, linear 0). */
export function silenceByte(format: MediaFormat): number {
  return format === 'ulaw' ? 0xff : 0;
}

/** Caller PCM as the bytes the media socket carries. */
export function pcmToFormat(samples: Int16Array, fromRateHz: number, format: MediaFormat): Uint8Array {
  const rateHz = formatRateHz(format);
  const atRate = fromRateHz === rateHz ? samples : resample(samples, fromRateHz, rateHz);
  return format === 'ulaw' ? muLawEncodeSamples(atRate) : samplesAsBytes(atRate);
}

/** Media bytes back to PCM at the caller's rate (what the caller hears). */
export function formatToPcm(bytes: Uint8Array, format: MediaFormat, toRateHz: number): Int16Array {
  const even = format === 'ulaw' ? bytes : bytes.subarray(0, bytes.length - (bytes.length % 2));
  const samples = format === 'ulaw' ? muLawDecodeBytes(even) : bytesToSamplesStrict(even);
  const rateHz = formatRateHz(format);
  return rateHz === toRateHz ? samples : resample(samples, rateHz, toRateHz);
}
