import { errorCode, errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import { AsyncQueue } from '../runtime/async-queue.ts';
import type { Brain, RenderedSpeech, Voice } from './ports.ts';
import { hasUnplayed, nothingSpoken, ReplyGuard } from './reply-guards.ts';
import { heardPrefix, type Speaker } from './speaker.ts';

export type BotAction =
  | { type: 'end_call'; reason: string }
  | { type: 'transfer'; destination: string; target: string }
  | { type: 'operator' };

export interface BotTurnResult {
  generatedText: string;
  heardText: string;
  /** The caller did not hear the whole reply; `interruption` says why. */
  interrupted: boolean;
  interruption: 'barge-in' | 'operator' | 'hangup' | undefined;
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
 * synthesis of sentence n+1 overlapping playback of sentence n. The turn owns an AbortController:
 * barge-in or the operator key aborts the LLM request and pending synthesis.
 */
export async function runBotTurn(callerText: string, deps: BotTurnDeps, parent: AbortSignal): Promise<BotTurnResult> {
  const turn = new AbortController();
  const abortTurn = () => turn.abort();
  parent.addEventListener('abort', abortTurn, { once: true });
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
      for await (const event of deps.brain.reply(callerText, { signal: turn.signal })) {
        if (event.type === 'text') {
          result.llmFirstTokenMs ??= deps.now() - startMs;
          result.generatedText += event.delta;
          deltas.push(event.delta);
        } else if (event.type === 'error') {
          result.failure ??= { status: 'LLM_FAILED', code: event.code, message: event.message };
        } else if (event.type === 'end_call') {
          result.action ??= { type: 'end_call', reason: event.reason };
        } else {
          result.action ??= { type: 'transfer', destination: event.destination, target: event.target };
        }
      }
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

  const heard: string[] = [];
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
          const filler = await deps.speaker.play(deps.filler, turn.signal);
          if (filler.kind === 'barge-in') { result.interruption = 'barge-in'; break; }
          if (filler.kind === 'operator') { result.dtmf += filler.digit; result.interruption = 'operator'; result.action = { type: 'operator' }; break; }
          if (filler.kind === 'aborted') { result.interruption = 'hangup'; break; }
          if (filler.kind === 'skipped') result.dtmf += filler.digit;
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
        outcome = await deps.speaker.play(item.speech, turn.signal);
      } catch (error) {
        // The command never reached Asterisk (hangup, EPIPE) or Asterisk refused it: not played.
        result.audioPaths.pop();
        if (firstAudio) result.timeToFirstAudioMs = undefined;
        if (parent.aborted) throw error;
        result.failure ??= { status: 'TTS_FAILED', code: errorCode(error), message: `playback failed: ${errorMessage(error)}` };
        break;
      }
      if (outcome.kind === 'played') { heard.push(item.sentence); waitMs = guard.heard(); continue; }
      if (outcome.kind === 'failed') {
        result.failure ??= { status: 'TTS_FAILED', code: 'PLAYBACK_FAILED', message: `Asterisk could not play ${item.speech.file}` };
        break;
      }
      if (outcome.kind === 'skipped') {
        result.dtmf += outcome.digit;
        heard.push(heardPrefix(item.sentence, outcome.heardFraction));
        waitMs = guard.heard();
        continue;
      }
      heard.push(heardPrefix(item.sentence, outcome.heardFraction));
      if (outcome.kind === 'operator') {
        result.dtmf += outcome.digit;
        result.action = { type: 'operator' };
        result.interruption = 'operator';
      } else {
        result.interruption = outcome.kind === 'barge-in' ? 'barge-in' : 'hangup';
      }
      break;
    }
  } finally {
    // A hangup while the reply was still being generated also leaves it unheard.
    if (parent.aborted && result.interruption === undefined && result.generatedText !== '') result.interruption = 'hangup';
    result.interrupted = result.interruption !== undefined;
    // Whatever ended the loop, nothing of this turn may outlive it (a normal end has nothing left to stop).
    turn.abort();
    await Promise.allSettled([llmTask, ttsTask]);
    parent.removeEventListener('abort', abortTurn);
  }
  result.heardText = heard.filter((part) => part !== '').join(' ');
  result.failure ??= nothingSpoken(result);
  result.unplayed = hasUnplayed(result, guard);
  return result;
}
