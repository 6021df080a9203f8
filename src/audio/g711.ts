/**
 * ITU-T G.711 mu-law (the North American / Japanese telephone codec), as in the reference
 * encoder: bias 0x84, clip at 32635, 8 segments of 16 steps, bits inverted on the wire.
 * Pure functions on 16-bit linear samples; a phone line through G.711 is `muLawRoundTrip`.
 */

const BIAS = 0x84;
const CLIP = 32635;

/** One 16-bit linear sample (rounded and saturated first) to its mu-law byte (0..255). */
export function muLawEncode(sample: number): number {
  let value = Math.round(sample);
  value = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
  const sign = value < 0 ? 0x80 : 0;
  let magnitude = value < 0 ? -value : value;
  if (magnitude > CLIP) magnitude = CLIP;
  magnitude += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

const DECODE_TABLE = (() => {
  const table = new Int16Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    const bits = ~byte & 0xff;
    const exponent = (bits >> 4) & 0x07;
    const magnitude = ((((bits & 0x0f) << 3) + BIAS) << exponent) - BIAS;
    table[byte] = (bits & 0x80) !== 0 ? -magnitude : magnitude;
  }
  return table;
})();

/** One mu-law byte (only its low 8 bits count) to its 16-bit linear sample (range ±32124). */
export function muLawDecode(byte: number): number {
  return DECODE_TABLE[byte & 0xff] ?? 0;
}

/** Samples as bytes on a G.711 mu-law line. */
export function muLawEncodeSamples(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) out[i] = muLawEncode(samples[i] ?? 0);
  return out;
}

export function muLawDecodeBytes(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) out[i] = DECODE_TABLE[bytes[i] ?? 0] ?? 0;
  return out;
}

/**
 * What a G.711 mu-law line makes of the samples (encode then decode): a new array, the input
 * untouched. The error is at most half a quantisation step: |e| <= 2^(segment+2) + 1 in 16-bit units
 * (4 near zero, 1024 near full scale), about 38 dB SNR for speech-like levels.
 */
export function muLawRoundTrip(samples: Int16Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) out[i] = DECODE_TABLE[muLawEncode(samples[i] ?? 0)] ?? 0;
  return out;
}
