import type { Tool } from 'ollama';
import { matchDialPattern, normalizeSpokenExtension, type DialPattern } from '../tools/dial-pattern.ts';
import type { TransferDestination } from './settings.ts';
import type { ToolAction } from './types.ts';

/** Where the bot may transfer: whitelisted names, and extensions matching the admin's dial patterns. */
export interface TransferWhitelist {
  destinations: readonly TransferDestination[];
  patterns: readonly DialPattern[];
}

/**
 * The call-control tools offered to the model. `transfer_call` exists only when the profile has
 * destinations or patterns; with names only, `destination` is an enum of them: the model never sees targets.
 */
export function toolDefinitions(whitelist: TransferWhitelist): Tool[] {
  const tools: Tool[] = [{
    type: 'function',
    function: {
      name: 'end_call',
      description: 'Hang up after your goodbye, when the caller is done or asks to end the call.',
      parameters: {
        type: 'object',
        required: ['reason'],
        properties: { reason: { type: 'string', description: 'Short reason, e.g. caller said goodbye.' } },
      },
    },
  }];
  const names = whitelist.destinations.map((d) => d.name);
  if (names.length > 0 || whitelist.patterns.length > 0) {
    const byNumber = whitelist.patterns.length > 0;
    tools.push({
      type: 'function',
      function: {
        name: 'transfer_call',
        description: 'Transfer the caller to one of the allowed destinations, and only when the caller asks for it.',
        parameters: {
          type: 'object',
          required: ['destination'],
          properties: {
            destination: byNumber
              ? { type: 'string', description: `${names.length > 0 ? `One of: ${names.join(', ')}; or an` : 'An'} extension number the caller asked for (digits only), allowed: ${describePatterns(whitelist.patterns)}.` }
              : { type: 'string', description: 'Destination name.', enum: names },
          },
        },
      },
    });
  }
  return tools;
}

/** The patterns as the model reads them: `_2[0-4]XX` -> `2[0-4]XX`. */
export function describePatterns(patterns: readonly DialPattern[]): string {
  return patterns.map((p) => p.text.replace(/^_/, '')).join(', ') + ' (X = any digit)';
}

/**
 * Validate a call-control tool call from the model (native or text marker). Anything not on the
 * whitelist is rejected with a reason for the log: it is never executed.
 */
export function validateToolCall(name: string, args: unknown, whitelist: TransferWhitelist):
  { action: ToolAction } | { rejected: string } {
  const record = args !== null && typeof args === 'object' && !Array.isArray(args) ? args as Record<string, unknown> : undefined;
  if (name === 'end_call') {
    const reason = record?.['reason'];
    return { action: { type: 'end_call', reason: typeof reason === 'string' && reason.trim() !== '' ? reason.trim().slice(0, 200) : 'model ended the call' } };
  }
  if (name === 'transfer_call') {
    const raw = record?.['destination'];
    if (typeof raw !== 'string' && typeof raw !== 'number') return { rejected: 'transfer_call without a destination' };
    const target = resolveTransfer(String(raw), whitelist);
    if (target === undefined) return { rejected: `transfer_call to '${String(raw).slice(0, 60)}', which is neither in transfer_destinations nor matches transfer_patterns` };
    return { action: { type: 'transfer', ...target } };
  }
  return { rejected: `unknown tool '${name.slice(0, 60)}'` };
}

/** A whitelisted name (or its target), else an extension matching a pattern; nothing else. */
export function resolveTransfer(raw: string, whitelist: TransferWhitelist): { destination: string; target: string } | undefined {
  const named = findDestination(raw, whitelist.destinations);
  if (named !== undefined) return { destination: named.name, target: named.target };
  const extension = normalizeSpokenExtension(raw);
  if (matchDialPattern(extension, whitelist.patterns) !== undefined) return { destination: extension, target: extension };
  return undefined;
}

/** Exact (case-insensitive) match on a whitelisted name or target; nothing else. */
export function findDestination(raw: string, destinations: readonly TransferDestination[]): TransferDestination | undefined {
  const wanted = raw.trim().toLowerCase();
  if (wanted === '') return undefined;
  return destinations.find((d) => d.name.toLowerCase() === wanted) ?? destinations.find((d) => d.target.toLowerCase() === wanted);
}
