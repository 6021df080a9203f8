import { muLawDecodeBytes, muLawEncodeSamples } from '../audio/g711.ts';
import { VoicebotError } from '../errors.ts';
import { MEDIA_RATE_HZ, type MediaFormat } from './types.ts';

/**
 * chan_websocket's plain-text control protocol (server mode, Asterisk 22): one command or
 * notification per text message, `NAME key:value key:value` or `NAME <argument>`. JSON mode
 * (`transport_data=f(json)`) messages `{"event":NAME,...}` are read the same way.
 */

/** The first message Asterisk sends on a media WebSocket. */
export interface MediaStart {
  connectionId: string;
  /** Channel name, e.g. WebSocket/INCOMING/0x7ff80c003060. */
  channel: string;
  channelId: string;
  format: MediaFormat;
  /** Bytes of one ptime frame: slin16 640, slin 320, ulaw 160. */
  optimalFrameSizeBytes: number;
  ptimeMs: number;
  /** PCM rate of the format (ulaw is decoded to 8000). */
  sampleRateHz: number;
}

export interface ControlMessage {
  /** MEDIA_START, DTMF_END, MEDIA_XOFF, MEDIA_XON, MEDIA_MARK_PROCESSED, STATUS, ERROR, ... */
  name: string;
  /** `key:value` fields; ERROR's `error_text` runs to the end of the message. */
  fields: Record<string, string>;
  /** Everything after the name (a mark id for MEDIA_MARK_PROCESSED). */
  argument: string;
}

/** Parses one control message; never throws (an unknown shape gives a name and an argument). */
export function parseControl(text: string): ControlMessage {
  if (text.startsWith('{')) return parseJsonControl(text);
  const space = text.indexOf(' ');
  const name = space < 0 ? text : text.slice(0, space);
  const argument = space < 0 ? '' : text.slice(space + 1);
  const fields: Record<string, string> = {};
  const textAt = argument.indexOf('error_text:');
  const head = textAt < 0 ? argument : argument.slice(0, textAt);
  if (textAt >= 0) fields['error_text'] = argument.slice(textAt + 'error_text:'.length).trimEnd();
  for (const token of head.split(' ')) {
    const colon = token.indexOf(':');
    if (colon > 0) fields[token.slice(0, colon)] = token.slice(colon + 1);
  }
  return { name, fields, argument };
}

function parseJsonControl(text: string): ControlMessage {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) if (typeof value !== 'object') fields[key] = String(value);
    return { name: fields['event'] ?? '', fields, argument: fields['correlation_id'] ?? '' };
  } catch {
    return { name: '', fields: {}, argument: text };
  }
}

/** MEDIA_START as a typed record; throws ARI_MEDIA_PROTOCOL when it is not one we can use. */
export function parseMediaStart(text: string): MediaStart {
  const message = parseControl(text);
  const { fields } = message;
  const format = fields['format'];
  const frameBytes = Number(fields['optimal_frame_size']);
  const ptimeMs = Number(fields['ptime'] ?? 20);
  if (message.name !== 'MEDIA_START') throw protocolError(`expected MEDIA_START first, got '${text.slice(0, 60)}'`);
  if (format !== 'slin' && format !== 'slin16' && format !== 'ulaw') throw protocolError(`MEDIA_START format '${format ?? ''}' is not slin, slin16 or ulaw`);
  if (!Number.isInteger(frameBytes) || frameBytes <= 0 || (format !== 'ulaw' && frameBytes % 2 !== 0)) {
    throw protocolError(`MEDIA_START optimal_frame_size '${fields['optimal_frame_size'] ?? ''}' is not a usable frame size`);
  }
  if (!Number.isFinite(ptimeMs) || ptimeMs <= 0) throw protocolError(`MEDIA_START ptime '${fields['ptime'] ?? ''}' is not a duration`);
  return {
    connectionId: fields['connection_id'] ?? '', channel: fields['channel'] ?? '', channelId: fields['channel_id'] ?? '',
    format, optimalFrameSizeBytes: frameBytes, ptimeMs, sampleRateHz: MEDIA_RATE_HZ[format],
  };
}

function protocolError(message: string): VoicebotError {
  return new VoicebotError('ARI_MEDIA_PROTOCOL', message);
}

/** Samples in one frame of `optimalFrameSizeBytes`. */
export function frameSamples(start: MediaStart): number {
  return start.format === 'ulaw' ? start.optimalFrameSizeBytes : start.optimalFrameSizeBytes / 2;
}

/** One binary message from Asterisk to PCM at the format's rate (a trailing odd byte of slin is dropped). */
export function decodeMedia(data: Uint8Array, format: MediaFormat): Int16Array {
  if (format === 'ulaw') return muLawDecodeBytes(data);
  const samples = new Int16Array(data.length >> 1);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < samples.length; i += 1) samples[i] = view.getInt16(i * 2, true);
  return samples;
}

/** PCM at the format's rate to the bytes Asterisk expects (slin little-endian, or mu-law). */
export function encodeMedia(samples: Int16Array, format: MediaFormat): Uint8Array {
  if (format === 'ulaw') return muLawEncodeSamples(samples);
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i += 1) view.setInt16(i * 2, samples[i] ?? 0, true);
  return bytes;
}
