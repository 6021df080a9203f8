import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatSamples, silence } from '../audio/pcm.ts';
import { resample } from '../audio/resample.ts';
import { readWav, writeWav } from '../audio/wav.ts';
import type { CallerLine } from './call-recording.ts';

/** Why real caller speech cannot be made here, or undefined when espeak-ng works. */
export function speechUnavailable(): string | undefined {
  const probe = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'espeak-ng is not installed (apt-get install espeak-ng)';
}

/** Synthetic caller speech from espeak-ng (no shell: the text is one argument), at `sampleRateHz`. */
export function speak(text: string, sampleRateHz = 8000): Int16Array {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-speech-'));
  try {
    const file = join(dir, 'speech.wav');
    const run = spawnSync('espeak-ng', ['-v', 'en-us', '-w', file, '--', text], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`espeak-ng failed: ${run.stderr}`);
    const pcm = readWav(file);
    return resample(pcm.samples, pcm.sampleRateHz, sampleRateHz);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Speech-like sound without espeak-ng: syllable-rate bursts of a voiced buzz, as loud as speech,
 * so energy endpointing and the tiny test model hear an utterance (a real model hears no words).
 */
export function buzz(durationMs: number, sampleRateHz = 8000): Int16Array {
  const count = Math.round((durationMs / 1000) * sampleRateHz);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i += 1) {
    const t = i / sampleRateHz;
    const syllable = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    const voiced = Math.sin(2 * Math.PI * 140 * t) + 0.5 * Math.sin(2 * Math.PI * 280 * t) + 0.25 * Math.sin(2 * Math.PI * 700 * t);
    out[i] = Math.round(6000 * syllable * voiced);
  }
  return out;
}

/** A caller recording: numbers are ms of silence, strings are spoken (or buzzed without espeak-ng). */
export function callerAudio(parts: readonly (string | number)[], sampleRateHz = 8000): Int16Array {
  return scriptedCaller(parts, sampleRateHz).samples;
}

/** The caller recording and where each spoken line sits in it (ms from the start). */
export function scriptedCaller(parts: readonly (string | number)[], sampleRateHz = 8000): { samples: Int16Array; said: CallerLine[] } {
  const canSpeak = speechUnavailable() === undefined;
  const said: CallerLine[] = [];
  let atMs = 0;
  const pieces = parts.map((part) => {
    const piece = typeof part === 'number' ? silence(part, sampleRateHz)
      : canSpeak ? speak(part, sampleRateHz) : buzz(part.length * 70, sampleRateHz);
    const lengthMs = (piece.length / sampleRateHz) * 1000;
    if (typeof part === 'string') said.push({ startMs: atMs, endMs: atMs + lengthMs, text: part });
    atMs += lengthMs;
    return piece;
  });
  return { samples: concatSamples(pieces), said };
}

/** The caller of `voicebot simulate --demo`: a question, a follow-up, a goodbye, with pauses for the bot. */
export const DEMO_CALLER_SCRIPT: readonly (string | number)[] = [
  3500,
  'Hi, I would like to know your opening hours on Saturday.',
  9000,
  'Great. Can you also tell me where you are?',
  9000,
  'Thank you, goodbye.',
  1000,
];

/** Writes the demo caller WAV (8 kHz mono); says how it was made and what it says when. */
export function writeDemoCaller(path: string): { description: string; said: CallerLine[] } {
  const { samples, said } = scriptedCaller(DEMO_CALLER_SCRIPT, 8000);
  writeWav(path, { sampleRateHz: 8000, channels: 1, samples });
  const reason = speechUnavailable();
  return { description: reason === undefined ? 'caller speech made with espeak-ng' : `caller "speech" is a buzz: ${reason}`, said };
}
