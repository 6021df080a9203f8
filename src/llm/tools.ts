import type { Tool } from 'ollama';
import type { TransferDestination } from './settings.ts';
import type { ToolAction } from './types.ts';

/**
 * The call-control tools offered to the model. `transfer_call` exists only when the profile has
 * destinations, and its `destination` is an enum of their names: the model never sees targets.
 */
export function toolDefinitions(destinations: readonly TransferDestination[]): Tool[] {
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
  if (destinations.length > 0) {
    tools.push({
      type: 'function',
      function: {
        name: 'transfer_call',
        description: 'Transfer the caller to one of the allowed destinations, and only when the caller asks for it.',
        parameters: {
          type: 'object',
          required: ['destination'],
          properties: {
            destination: { type: 'string', description: 'Destination name.', enum: destinations.map((d) => d.name) },
          },
        },
      },
    });
  }
  return tools;
}

/**
 * Validate a tool call from the model (native or text marker). Anything not on the whitelist is
 * rejected with a reason for the log: it is never executed.
 */
export function validateToolCall(name: string, args: unknown, destinations: readonly TransferDestination[]):
  { action: ToolAction } | { rejected: string } {
  const record = args !== null && typeof args === 'object' && !Array.isArray(args) ? args as Record<string, unknown> : undefined;
  if (name === 'end_call') {
    const reason = record?.['reason'];
    return { action: { type: 'end_call', reason: typeof reason === 'string' && reason.trim() !== '' ? reason.trim().slice(0, 200) : 'model ended the call' } };
  }
  if (name === 'transfer_call') {
    const raw = record?.['destination'];
    if (typeof raw !== 'string') return { rejected: 'transfer_call without a destination string' };
    const destination = findDestination(raw, destinations);
    if (destination === undefined) return { rejected: `transfer_call to '${raw.slice(0, 60)}', which is not in transfer_destinations` };
    return { action: { type: 'transfer', destination: destination.name, target: destination.target } };
  }
  return { rejected: `unknown tool '${name.slice(0, 60)}'` };
}

/** Exact (case-insensitive) match on a whitelisted name or target; nothing else. */
export function findDestination(raw: string, destinations: readonly TransferDestination[]): TransferDestination | undefined {
  const wanted = raw.trim().toLowerCase();
  if (wanted === '') return undefined;
  return destinations.find((d) => d.name.toLowerCase() === wanted) ?? destinations.find((d) => d.target.toLowerCase() === wanted);
}
