import { durationMs } from '../audio/pcm.ts';
import { VoicebotError } from '../errors.ts';
import type { SttEngine, SttEvent, SttInput } from '../stt/engine.ts';
import type { Pcm, SynthesizeOptions, TtsEngine } from '../tts/engine.ts';
import { burnCpu } from './cpu-burner.ts';

/** Caller audio one STT burn pays for: the threadpool gets one request chain per this much audio. */
export const STT_BURN_BATCH_MS = 200;

function checkRtf(rtf: number, key: string): void {
  if (!Number.isFinite(rtf) || rtf < 0) {
    throw new VoicebotError('STANDIN_BAD_RTF', `stand-in cost rtf ${rtf} is not a number of 0 or more. Fix: set ${key} to 0 (off) or a real-time factor such as 0.2`);
  }
}

function standinName(innerName: string, rtf: number): string {
  return `${innerName} + TEST STAND-IN cost (rtf ${rtf})`;
}

/**
 * The recognizer plus `rtf` ms of CPU per ms of caller audio, burnt off the main thread. The cost is
 * paid in the input path, as a real decoder's is: after every STT_BURN_BATCH_MS of audio the next
 * frame waits for the burn, and a `turn-end` waits for what is still owed, so an overloaded box
 * delays finals as it would with a real model. Events pass through untouched. rtf 0 returns `engine`.
 */
export function withSttCost(engine: SttEngine, rtf: number): SttEngine {
  checkRtf(rtf, 'test_stt_rtf');
  return rtf === 0 ? engine : new SttStandinCost(engine, rtf);
}

class SttStandinCost implements SttEngine {
  readonly name: string;
  readonly #inner: SttEngine;
  readonly #rtf: number;

  constructor(inner: SttEngine, rtf: number) {
    this.#inner = inner;
    this.#rtf = rtf;
    this.name = standinName(inner.name, rtf);
  }

  transcribe(input: AsyncIterable<SttInput>, options: { signal?: AbortSignal } = {}): AsyncIterable<SttEvent> {
    return this.#inner.transcribe(payingDecodeCost(input, this.#rtf, options.signal), options);
  }

  close(): void {
    this.#inner.close();
  }
}

async function* payingDecodeCost(input: AsyncIterable<SttInput>, rtf: number, signal: AbortSignal | undefined): AsyncGenerator<SttInput> {
  let owedAudioMs = 0;
  let burning = true;
  const pay = async (): Promise<void> => {
    const ms = rtf * owedAudioMs;
    owedAudioMs = 0;
    if (!burning || ms === 0) return;
    try {
      await burnCpu(ms, { signal });
    } catch (error) {
      // Aborted: the inner engine stops on the same signal; the input keeps flowing to it untaxed.
      if (signal?.aborted !== true) throw error;
      burning = false;
    }
  };
  for await (const item of input) {
    if (item.type === 'turn-end') await pay();
    yield item;
    if (item.type !== 'audio') continue;
    owedAudioMs += durationMs(item.frame.samples, item.frame.sampleRateHz);
    if (owedAudioMs >= STT_BURN_BATCH_MS) await pay();
  }
  await pay();
}

/**
 * The voice plus `rtf` ms of CPU per ms of synthesized audio, burnt off the main thread after the
 * inner synthesis and awaited, so a sentence takes as long as a real voice's would. The cache key
 * stays the inner one (same audio, same phrase cache). rtf 0 returns `engine`.
 */
export function withTtsCost(engine: TtsEngine, rtf: number): TtsEngine {
  checkRtf(rtf, 'test_tts_rtf');
  return rtf === 0 ? engine : new TtsStandinCost(engine, rtf);
}

class TtsStandinCost implements TtsEngine {
  readonly name: string;
  readonly cacheKey: string;
  readonly sampleRateHz: number;
  readonly #inner: TtsEngine;
  readonly #rtf: number;

  constructor(inner: TtsEngine, rtf: number) {
    this.#inner = inner;
    this.#rtf = rtf;
    this.name = standinName(inner.name, rtf);
    this.cacheKey = inner.cacheKey;
    this.sampleRateHz = inner.sampleRateHz;
  }

  async synthesize(text: string, options: SynthesizeOptions = {}): Promise<Pcm> {
    const pcm = await this.#inner.synthesize(text, options);
    await burnCpu(this.#rtf * durationMs(pcm.samples, pcm.sampleRateHz), { signal: options.signal });
    return pcm;
  }

  close(): void {
    this.#inner.close();
  }
}
