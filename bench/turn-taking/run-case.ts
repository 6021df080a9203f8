/**
 * Plays one case through one turn taker, 20 ms frame by frame, faster than real time, as a call
 * would: the bot plays its segments until a barge-in stops it (its echo stops with it), and the
 * taker is told what the bot plays (the reference) and whether it is speaking.
 */
import { createTurnTaker, type TurnEvent, type TurnTakerOptions, type VadMode } from '../../src/vad/turn-taker.ts';
import { type BenchCase, FRAME_SAMPLES, lineSamples, referenceSamples } from './corpus.ts';

export const MODES: readonly VadMode[] = ['energy', 'silero', 'silero+echo'];

export interface CaseRun {
  id: string;
  group: string;
  mode: VadMode;
  events: TurnEvent[];
  /** Stream sample where the bot stopped because of a barge-in (undefined: it played to the end). */
  stoppedAtSample: number | undefined;
  /** CPU (user + system, all threads) to create the taker: the per-call model load. */
  loadCpuUs: number;
  /** CPU to push every frame. */
  pushCpuUs: number;
  audioSeconds: number;
}

function cpuUs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

/** Does the bot play anything in [start, start + count) before `stoppedAt`? */
function botPlaying(c: BenchCase, start: number, count: number, stoppedAt: number): boolean {
  if (start >= stoppedAt) return false;
  return c.bot.some((segment) => start < segment.startSample + segment.samples.length && segment.startSample < start + count);
}

/** Options to try instead of the product defaults (Silero modes only: energy stays the baseline). */
export type Overrides = Partial<Omit<TurnTakerOptions, 'mode' | 'sampleRateHz'>>;

/** The line, frame by frame, with the bot stopping at the first barge-in; each frame made when needed. */
export async function runCase(c: BenchCase, mode: VadMode, overrides: Overrides = {}): Promise<CaseRun> {
  const loadStart = process.cpuUsage();
  const taker = await createTurnTaker({ ...(mode === 'energy' ? {} : overrides), mode, sampleRateHz: 8000 });
  const loadCpuUs = cpuUs(loadStart);
  const events: TurnEvent[] = [];
  let stoppedAt = Number.POSITIVE_INFINITY;
  let pushCpuUs = 0;
  try {
    for (let start = 0; start < c.base.length; start += FRAME_SAMPLES) {
      const count = Math.min(FRAME_SAMPLES, c.base.length - start);
      const frame = lineSamples(c, start, count, stoppedAt);
      const reference = referenceSamples(c, start, count, stoppedAt);
      const botSpeaking = botPlaying(c, start, count, stoppedAt);
      const pushStart = process.cpuUsage();
      const frameEvents = taker.push(frame, { reference, botSpeaking });
      pushCpuUs += cpuUs(pushStart);
      for (const event of frameEvents) {
        events.push(event);
        if (event.type === 'barge-in' && stoppedAt === Number.POSITIVE_INFINITY) stoppedAt = start + count;
      }
    }
  } finally {
    taker.close();
  }
  return {
    id: c.id, group: c.group, mode, events, loadCpuUs, pushCpuUs, audioSeconds: c.base.length / 8000,
    stoppedAtSample: Number.isFinite(stoppedAt) ? stoppedAt : undefined,
  };
}
