import { matchDialPattern } from '../tools/dial-pattern.ts';
import { resolveTransfer, type TransferWhitelist } from './tools.ts';
import type { ToolAction } from './types.ts';

/** What a reply announced in words. `target` is undefined when no single allowed destination is named. */
export type Announcement =
  | { kind: 'transfer'; sentence: string; target: { destination: string; target: string } | undefined }
  | { kind: 'goodbye'; sentence: string }
  | { kind: 'no-transfer'; sentence: string };

/** A reply whose words and tool calls disagree, as logged, stored and posted. */
export interface SayDoMismatch {
  said: Announcement['kind'];
  did: 'none' | ToolAction['type'];
  sentence: string;
  policy: 'correct' | 'act' | 'log';
  /** What was done about it: the model was asked again (and then did or did not act), the announced action was taken, or nothing. */
  resolution: 'corrected' | 'correction-ignored' | 'acted' | 'action-dropped' | 'logged';
}

const TRANSFER = /\b(transfer(?:ring)?\s+(?:you|your call|the call)|put(?:ting)? you (?:through|over)|connect(?:ing)? you|forward(?:ing)? (?:you|your call))\b/i;
const NEGATION = /\b(can(?:'|no)?t|cannot|unable|not able|won't|will not|don't|do not|no way)\b/i;
const FAREWELL = String.raw`(?:good ?bye|bye(?: bye| now)?|farewell|have a (?:nice|great|good|lovely) (?:day|evening|afternoon|weekend))`;
/** A sentence that is a farewell: it opens or closes with one ("Goodbye!", "Thanks for calling, goodbye."), not one that mentions it. */
const GOODBYE = new RegExp(String.raw`^(?:(?:ok(?:ay)?|well|alright|thanks?|thank you(?: for calling)?)[,!.]?\s+)*${FAREWELL}|${FAREWELL}[.!…]*$`, 'i');

/** Sentences of a reply (the last one counts most: announcements come at the end). */
function sentences(text: string): string[] {
  return text.split(/(?<=[.!?…])\s+/).map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * The action a reply announces, if any: a transfer ("I'll put you through to sales now"), a
 * refusal to transfer, or a goodbye. Questions ("Shall I transfer you?") announce nothing.
 */
export function announcedAction(text: string, whitelist: TransferWhitelist): Announcement | undefined {
  for (const sentence of sentences(text).reverse()) {
    if (sentence.endsWith('?')) continue;
    if (TRANSFER.test(sentence)) {
      if (NEGATION.test(sentence)) return { kind: 'no-transfer', sentence };
      return { kind: 'transfer', sentence, target: namedTarget(sentence, whitelist) };
    }
    if (GOODBYE.test(sentence)) return { kind: 'goodbye', sentence };
  }
  return undefined;
}

/** The one allowed destination a sentence names (by name, or an extension matching a pattern). */
function namedTarget(sentence: string, whitelist: TransferWhitelist): { destination: string; target: string } | undefined {
  const found = new Map<string, { destination: string; target: string }>();
  for (const d of whitelist.destinations) {
    const escaped = d.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`\\b${escaped}\\b`, 'i').test(sentence)) found.set(d.name.toLowerCase(), { destination: d.name, target: d.target });
  }
  for (const match of sentence.matchAll(/\b\d(?:[\s-]?\d){1,14}\b/g)) {
    const digits = match[0].replace(/[\s-]/g, '');
    if (matchDialPattern(digits, whitelist.patterns) !== undefined) found.set(digits, resolveTransfer(digits, whitelist) ?? { destination: digits, target: digits });
  }
  return found.size === 1 ? [...found.values()][0] : undefined;
}

/** Whether words and the action taken disagree. */
export function disagrees(said: Announcement | undefined, did: ToolAction | undefined): boolean {
  if (said === undefined) return false;
  if (said.kind === 'no-transfer') return did?.type === 'transfer';
  if (said.kind === 'transfer') return did?.type !== 'transfer';
  return did === undefined;
}

/**
 * What say_do_policy does about a disagreement: 'ask-again' (policy correct, for an announced
 * action), or the actions to keep and how it was resolved. A refused transfer is never carried
 * out unless the policy is only to log.
 */
export function applySayDoPolicy(said: Announcement, actions: readonly ToolAction[], policy: SayDoMismatch['policy']):
  'ask-again' | { actions: ToolAction[]; resolution: SayDoMismatch['resolution'] } {
  const unchanged = { actions: [...actions], resolution: 'logged' as const };
  if (said.kind === 'no-transfer') {
    return policy === 'log' ? unchanged : { actions: actions.filter((a) => a.type !== 'transfer'), resolution: 'action-dropped' };
  }
  if (policy === 'correct') return 'ask-again';
  if (policy === 'log') return unchanged;
  if (said.kind === 'goodbye') return { actions: [{ type: 'end_call', reason: 'announced goodbye (say_do_policy = act)' }, ...actions], resolution: 'acted' };
  return said.target === undefined ? unchanged : { actions: [{ type: 'transfer', ...said.target }, ...actions], resolution: 'acted' };
}

/** The note that asks the model once more, after its words announced what it did not do. */
export function correctionNote(said: Announcement, mode: 'native' | 'text'): string {
  const call = said.kind === 'goodbye'
    ? (mode === 'native' ? 'call end_call' : 'write [END_CALL: reason]')
    : (mode === 'native' ? 'call transfer_call with the destination' : 'write [TRANSFER: destination]');
  const what = said.kind === 'goodbye' ? 'end the call' : 'transfer the call';
  return `(Note from the phone system, not the caller: you told the caller "${said.sentence.slice(0, 200)}" but did not ${what}. `
    + `If you meant it, ${call} now without repeating yourself. If not, tell the caller in one short sentence what happens instead.)`;
}
