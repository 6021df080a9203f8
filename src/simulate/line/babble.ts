import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mixInto, scaleToDbfs } from '../../audio/noise.ts';
import { resample } from '../../audio/resample.ts';
import { readWav, writeWav } from '../../audio/wav.ts';
import { VoicebotError } from '../../errors.ts';

/** Talkers of the babble: espeak-ng voice, speed (words per minute), pitch, and what they say. */
const TALKERS: readonly { voice: string; speed: number; pitch: number; text: string }[] = [
  { voice: 'en-us+f3', speed: 165, pitch: 60, text: 'I told her the meeting was moved to Thursday, but she never got the message. Anyway, we went ahead without her.' },
  { voice: 'en-gb+m3', speed: 150, pitch: 40, text: 'The train was late again this morning, so I walked the last two miles in the rain and missed the first lecture.' },
  { voice: 'en-us+m7', speed: 175, pitch: 35, text: 'Could you pass me the menu? I think I will have the soup, and maybe something light for dessert.' },
  { voice: 'en-gb-scotland+f2', speed: 160, pitch: 70, text: 'We are planning a trip to the coast in August, if the weather holds and the car is fixed by then.' },
  { voice: 'en-029+m1', speed: 155, pitch: 50, text: 'He said the price would go up next month, so we should order the parts now rather than wait.' },
  { voice: 'en-us+f4', speed: 170, pitch: 65, text: 'My sister just started a new job downtown, and she loves it, even though the hours are long.' },
];

/** Length of the babble loop: long enough that its repetition is not a pattern a detector learns. */
const LOOP_SECONDS = 12;

/**
 * Babble: several espeak-ng talkers saying different sentences at once, each looped with its own
 * offset, equal in level, mixed (-20 dBFS RMS; the line scales it). Made once per rate and kept as
 * `babble-<rate>.wav` in `cacheDir`; needs espeak-ng.
 */
export function babbleSamples(cacheDir: string, rateHz: number): Int16Array {
  const cached = join(cacheDir, `babble-${rateHz}.wav`);
  if (existsSync(cached)) return readWav(cached).samples;
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, '.babble-'));
  try {
    const length = LOOP_SECONDS * rateHz;
    const mix = new Int16Array(length);
    TALKERS.forEach((talker, index) => {
      const file = join(work, `talker-${index}.wav`);
      const run = spawnSync('espeak-ng', ['-v', talker.voice, '-s', String(talker.speed), '-p', String(talker.pitch), '-w', file, '--', talker.text], { encoding: 'utf8' });
      if (run.status !== 0 || !existsSync(file)) {
        throw new VoicebotError('SIMULATE_BABBLE', `babble noise: espeak-ng failed for voice ${talker.voice}: ${run.error?.message ?? run.stderr}. Fix: apt-get install espeak-ng, or use a colour (pink@-30) or a WAV file`);
      }
      const pcm = readWav(file);
      const voice = scaleToDbfs(resample(pcm.samples, pcm.sampleRateHz, rateHz), -20);
      // Each talker starts at a different point of its speech and loops, so pauses do not line up.
      const offset = Math.floor((index * voice.length) / TALKERS.length);
      for (let start = -offset; start < length; start += voice.length) mixInto(mix, voice, start, -10 * Math.log10(TALKERS.length));
    });
    const samples = scaleToDbfs(mix, -20);
    writeWav(cached, { sampleRateHz: rateHz, channels: 1, samples });
    return samples;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
