import { VoicebotError } from '../errors.ts';

/** Mono 16-bit PCM at a known rate: the unit every speech stage passes around. */
export interface Pcm {
  sampleRateHz: number;
  samples: Int16Array;
}

/** One chunk of caller audio (typically 20 ms) with its rate. */
export interface AudioFrame {
  sampleRateHz: number;
  samples: Int16Array;
  /** performance.now() when the frame's last sample was captured, when known (fd 3 frames). */
  capturedAtMs?: number;
}

/** Root mean square of the samples, in sample units (0..32768). */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i += 1) {
    const value = samples[i] ?? 0;
    sum += value * value;
  }
  return Math.sqrt(sum / samples.length);
}

/** Level relative to a full-scale square wave, in dB; silence gives -Infinity. A full-scale sine is -3 dBFS. */
export function rmsDbfs(samples: Int16Array): number {
  const value = rms(samples);
  return value === 0 ? Number.NEGATIVE_INFINITY : 20 * Math.log10(value / 32768);
}

/** Float samples in [-1, 1] (sherpa-onnx output) to clamped 16-bit PCM. */
export function floatToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) {
    const value = Math.round((samples[i] ?? 0) * 32767);
    out[i] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
  }
  return out;
}

export function int16ToFloat(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) out[i] = (samples[i] ?? 0) / 32768;
  return out;
}

export function concatSamples(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) { out.set(part, offset); offset += part.length; }
  return out;
}

export function durationMs(samples: { length: number }, sampleRateHz: number): number {
  return (samples.length * 1000) / sampleRateHz;
}

export function silence(ms: number, sampleRateHz: number): Int16Array {
  return new Int16Array(Math.round((ms * sampleRateHz) / 1000));
}

/** A sine tone at a level in dBFS (-3 dBFS = full-scale sine), with 5 ms fades against clicks. */
export function tone(frequencyHz: number, ms: number, sampleRateHz: number, levelDbfs = -12): Int16Array {
  const count = Math.round((ms * sampleRateHz) / 1000);
  const amplitude = 32768 * Math.SQRT2 * 10 ** (levelDbfs / 20);
  const fade = Math.min(Math.round(sampleRateHz * 0.005), Math.floor(count / 2));
  const out = new Int16Array(count);
  for (let i = 0; i < count; i += 1) {
    const ramp = fade === 0 ? 1 : Math.min(1, i / fade, (count - 1 - i) / fade);
    const value = Math.round(amplitude * ramp * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz));
    out[i] = Math.max(-32768, Math.min(32767, value));
  }
  return out;
}

/** Samples from little-endian bytes, refusing an odd byte count (a torn sample means a framing bug). */
export function bytesToSamplesStrict(bytes: Uint8Array, source = 'PCM data'): Int16Array {
  if (bytes.byteLength % 2 !== 0) {
    throw new VoicebotError('AUDIO_ODD_LENGTH', `${source}: ${bytes.byteLength} bytes is not a whole number of 16-bit samples. Fix: pass signed 16-bit little-endian mono PCM (slin), whole samples only`);
  }
  const out = new Int16Array(bytes.byteLength / 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i += 1) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** Little-endian bytes of the samples as a view when the platform is little-endian (no copy). */
export function samplesAsBytes(samples: Int16Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}
