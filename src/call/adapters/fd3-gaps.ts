import type { AudioFrame } from '../../audio/pcm.ts';
import { withDeadline } from '../../runtime/deadline.ts';

/**
 * fd 3 quiet mid-utterance for this long means the leg stopped sending (VAD/DTX, a silent Local
 * channel): from then on silence is fed in FILL_STEP_MS steps, real-time paced, so the turn can end.
 */
const GAP_MS = 500;
const FILL_STEP_MS = 100;

/**
 * Every frame of `frames`, plus silent frames while `inSpeech()` and fd 3 has gone quiet. fd 3 is
 * not a clock: the detector only moves on audio. A short stall is a late read (a busy box), not
 * silence: only a long gap is filled.
 */
export async function* fillFd3Gaps(frames: AsyncIterable<AudioFrame>, inSpeech: () => boolean): AsyncGenerator<AudioFrame> {
  const iterator = frames[Symbol.asyncIterator]();
  let pending = iterator.next();
  let rateHz = 8000;
  let filling = false;
  for (;;) {
    const waitMs = filling ? FILL_STEP_MS : GAP_MS;
    const next = inSpeech() ? await withDeadline(pending, waitMs, () => 'gap' as const) : await pending;
    if (next === 'gap') {
      filling = true;
      const frameSamples = (rateHz * 20) / 1000;
      for (let ms = 0; ms < waitMs; ms += 20) yield { sampleRateHz: rateHz, samples: new Int16Array(frameSamples) };
      continue;
    }
    filling = false;
    if (next.done === true) return;
    pending = iterator.next();
    rateHz = next.value.sampleRateHz;
    yield next.value;
  }
}
