import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { VoicebotError } from '../errors.ts';

/** Mono or interleaved signed 16-bit PCM with its rate. */
export interface Pcm16 {
  sampleRateHz: number;
  channels: number;
  /** Interleaved samples when channels > 1. */
  samples: Int16Array;
}

/** Parse a RIFF/WAVE file holding 16-bit PCM (format 1 or WAVE_FORMAT_EXTENSIBLE with PCM). */
export function parseWav(bytes: Uint8Array, name = 'wav'): Pcm16 {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.byteLength < 12 || text(0) !== 'RIFF' || text(8) !== 'WAVE') {
    throw new VoicebotError('WAV_FORMAT', `${name}: not a RIFF/WAVE file`);
  }
  let offset = 12;
  let format: { channels: number; rateHz: number; bits: number; tag: number } | undefined;
  while (offset + 8 <= bytes.byteLength) {
    const id = text(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = {
        tag: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        rateHz: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (format === undefined) throw new VoicebotError('WAV_FORMAT', `${name}: data chunk before fmt chunk`);
      if ((format.tag !== 1 && format.tag !== 0xfffe) || format.bits !== 16) {
        throw new VoicebotError('WAV_FORMAT', `${name}: only 16-bit PCM WAV is supported (format ${format.tag}, ${format.bits} bits); convert with: sox in.wav -b 16 -e signed out.wav`);
      }
      // Streaming writers leave 0 or 0xffffffff as the size: take what the file holds.
      const available = bytes.byteLength - body;
      const length = size === 0 || size > available ? available : size;
      const sampleCount = Math.floor(length / 2);
      const samples = new Int16Array(sampleCount);
      for (let i = 0; i < sampleCount; i += 1) samples[i] = view.getInt16(body + i * 2, true);
      return { sampleRateHz: format.rateHz, channels: format.channels, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new VoicebotError('WAV_FORMAT', `${name}: no data chunk`);
}

export function readWav(path: string): Pcm16 {
  return parseWav(readFileSync(path), path);
}

/** Encode 16-bit PCM as a canonical 44-byte-header WAV. */
export function encodeWav(pcm: Pcm16): Uint8Array {
  const dataBytes = pcm.samples.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, value: string) => { for (let i = 0; i < 4; i += 1) out[offset + i] = value.charCodeAt(i); };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, pcm.channels, true);
  view.setUint32(24, pcm.sampleRateHz, true);
  view.setUint32(28, pcm.sampleRateHz * pcm.channels * 2, true);
  view.setUint16(32, pcm.channels * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < pcm.samples.length; i += 1) view.setInt16(44 + i * 2, pcm.samples[i] ?? 0, true);
  return out;
}

/** Write a file atomically (temp + rename) so Asterisk never plays a half-written file. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, bytes);
  renameSync(temp, path);
}

export function writeWav(path: string, pcm: Pcm16): void {
  writeFileAtomic(path, encodeWav(pcm));
}

/** Raw little-endian bytes of samples (what `.sln`/`.sln16` files and fd 3 carry). */
export function pcmToBytes(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i += 1) view.setInt16(i * 2, samples[i] ?? 0, true);
  return out;
}

/** Samples from raw little-endian bytes; an odd trailing byte is ignored. */
export function bytesToPcm(bytes: Uint8Array): Int16Array {
  const count = Math.floor(bytes.byteLength / 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i += 1) out[i] = view.getInt16(i * 2, true);
  return out;
}
