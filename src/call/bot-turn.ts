import { errorCode, errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ToolAction } from '../llm/types.ts';
import { AsyncQueue } from '../runtime/async-queue.ts';
import type { Brain, RenderedSpeech, Voice } from './ports.ts';
import { hasUnplayed, nothingSpoken, ReplyGuard } from './reply-guards.ts';
import type { Interruption, Speaker } from './speaker.ts';

export type BotAction = ToolAction | { type: 'operator' };

export interface BotTurnResult {
  generatedText: string;
  heardText: string;
  /** The caller did not hear the whole reply; `interruption` says why. */
  interrupted: boolean;
  interruption: Interruption | undefined;
  /** Keys the caller pressed during the reply (skip, operator). */
  dtmf: string;
  action: BotAction | undefined;
  /** LLM or TTS failure: the session apologises and hands the call back to the dialplan. */
  failure: { status: 'LLM_FAILED' | 'TTS_FAILED'; code: string; message: string } | undefined;
  llmFirstTokenMs: number | undefined;
  llmTotalMs: number | undefined;
  ttsMs: number;
  timeToFirstAudioMs: number | undefined;
  audioPaths: string[];
  /** Some generated text was never played (see reply-guards.ts). */
  unplayed: boolean;
}

export interface BotTurnDeps {
  brain: Brain;
  voice: Voice;
  speaker: Speaker;
  splitSentences: (deltas: AsyncIterable<string>) => AsyncIterable<string>;
  log: Logger;
  /** ms clock. */
  now: () => number;
  fillerAfterMs: number;
  /** Pre-rendered filler phrase (undefined: no filler). */
  filler: RenderedSpeech | undefined;
  /** Once part of the reply was heard, the longest wait for the next sentence (max_dead_air_ms). */
  maxDeadAirMs?: number | undefined;
  /** Cap on synthesized audio per reply (tts_max_reply_seconds). */
  maxReplyAudioMs?: number | undefined;
}

/** Sentence-final punctuation, maybe followed by closing quotes or brackets. */
const ENDS_SENTENCE = /[.!?…]["'”’)\]]*\s*$/;

type Rendered = { sentence: string; speech: RenderedSpeech } | { sentence: string; error: unknown };

/**
 * One bot reply: LLM deltas -> sentences -> one sound file per sentence -> STREAM FILE each, with
 * synthesis of sentence n+1 overlapping playback of sentence n. The turn's speech handle owns the
 * AbortController: barge-in or the operator key aborts the LLM request and pending synthesis.
 */
export async function runBotTurn(callerText: string, deps: BotTurnDeps, parent: AbortSignal): Promise<BotTurnResult> {
  const turn = deps.speaker.begin(parent);
  const startMs = deps.now();
  const result: BotTurnResult = {
    generatedText: '', heardText: '', interrupted: false, interruption: undefined, dtmf: '', action: undefined, failure: undefined,
    llmFirstTokenMs: undefined, llmTotalMs: undefined, ttsMs: 0, timeToFirstAudioMs: undefined, audioPaths: [], unplayed: false,
  };
  const guard = new ReplyGuard({ maxDeadAirMs: deps.maxDeadAirMs, maxAudioMs: deps.maxReplyAudioMs });
  const deltas = new AsyncQueue<string>();
  const rendered = new AsyncQueue<Rendered>();

  const llmTask = (async () => {
    try {
      const llm = deps.brain.reply(callerText, { signal: turn.signal });
      for await (const delta of llm.deltas) {
        result.llmFirstTokenMs ??= deps.now() - startMs;
        result.generatedText += delta;
        deltas.push(delta);
      }
      const outcome = await llm.outcome;
      if (outcome.type === 'error') result.failure ??= { status: 'LLM_FAILED', code: outcome.code, message: outcome.message };
      else if (outcome.type === 'end_call') result.action ??= { type: 'end_call', reason: outcome.reason };
      else if (outcome.type === 'transfer') result.action ??= { type: 'transfer', destination: outcome.destination, target: outcome.target };
    } catch (error) {
      if (!turn.signal.aborted) result.failure ??= { status: 'LLM_FAILED', code: errorCode(error), message: errorMessage(error) };
    } finally {
      result.llmTotalMs = deps.now() - startMs;
      deltas.end();
    }
  })();

  const ttsTask = (async () => {
    try {
      for await (const sentence of deps.splitSentences(deltas)) {
        if (turn.signal.aborted) break;
        // The reply broke off: its unfinished last words would sound wrong before the apology.
        if (result.failure !== undefined && !ENDS_SENTENCE.test(sentence)) break;
        const ttsStart = deps.now();
        try {
          const speech = await deps.voice.render(sentence, { signal: turn.signal });
          result.ttsMs += deps.now() - ttsStart;
          if (!guard.admit(speech.durationMs)) break;
          rendered.push({ sentence, speech });
        } catch (error) {
          if (turn.signal.aborted) break;
          rendered.push({ sentence, error });
          break;
        }
      }
    } catch (error) {
      // The splitter or the voice adapter failed outside a render: the reply cannot go on.
      if (!turn.signal.aborted) result.failure ??= { status: 'TTS_FAILED', code: errorCode(error), message: errorMessage(error) };
    } finally {
      rendered.end();
    }
  })();

  let waitMs: number | undefined = deps.filler !== undefined && deps.fillerAfterMs > 0 ? deps.fillerAfterMs : undefined;
  try {
    for (;;) {
      const next = await rendered.next(waitMs);
      if (next.kind === 'done') break;
      if (next.kind === 'timeout') {
        waitMs = undefined;
        result.failure ??= guard.stalled();
        if (result.failure !== undefined) break;
        if (deps.filler !== undefined) {
          deps.log.info('PLAY', 'reply is slow; saying the filler phrase', { afterMs: deps.fillerAfterMs });
          const filler = await turn.play(deps.filler, '');
          if (filler.kind === 'operator') result.action = { type: 'operator' };
          if (turn.interruption !== undefined) break;
          waitMs = guard.heard();
        }
        continue;
      }
      waitMs = undefined;
      const item = next.item;
      if ('error' in item) {
        result.failure ??= { status: 'TTS_FAILED', code: errorCode(item.error), message: errorMessage(item.error) };
        deps.log.error('TTS', 'synthesis failed', { code: errorCode(item.error), error: errorMessage(item.error) });
        break;
      }
      const firstAudio = result.timeToFirstAudioMs === undefined;
      result.timeToFirstAudioMs ??= deps.now() - startMs;
      result.audioPaths.push(item.speech.file);
      let outcome;
      try {
        outcome = await turn.play(item.speech, item.sentence);
      } catch (error) {
        // The command never reached Asterisk (hangup, EPIPE) or Asterisk refused it: not played.
        result.audioPaths.pop();
        if (firstAudio) result.timeToFirstAudioMs = undefined;
        if (parent.aborted) throw error;
        result.failure ??= { status: 'TTS_FAILED', code: errorCode(error), message: `playback failed: ${errorMessage(error)}` };
        break;
      }
      if (outcome.kind === 'played' || outcome.kind === 'skipped') { waitMs = guard.heard(); continue; }
      if (outcome.kind === 'failed') {
        result.failure ??= { status: 'TTS_FAILED', code: 'PLAYBACK_FAILED', message: `Asterisk could not play ${item.speech.file}` };
        break;
      }
      if (outcome.kind === 'operator') result.action = { type: 'operator' };
      if (turn.interruption !== undefined) break;
    }
  } finally {
    // A hangup while the reply was still being generated also leaves it unheard.
    if (parent.aborted && result.generatedText !== '') turn.markHangup();
    // Whatever ended the loop, nothing of this turn may outlive it (a normal end has nothing left to stop).
    turn.finish();
    await Promise.allSettled([llmTask, ttsTask]);
  }
  result.interruption = turn.interruption;
  result.interrupted = turn.interruption !== undefined;
  result.dtmf = turn.dtmf;
  result.heardText = turn.heardText;
  result.failure ??= nothingSpoken(result);
  result.unplayed = hasUnplayed(result, guard);
  return result;
}
