import type { CallStore } from '../../store/call-store.ts';
import type { CallLog, CallOutcome, TurnRecord } from '../ports.ts';

/** The call log port over the SQLite store: one call id, every write already retry-safe. */
export function storeCallLog(store: CallStore, callId: string, flushDeadlineMs: number): CallLog {
  return {
    answered: () => store.markAnswered(callId),
    turn: (turn: TurnRecord) => { store.addTurn(callId, turn); },
    event: (kind: string, detail: string) => store.addEvent(callId, kind, detail),
    close: async (outcome: CallOutcome) => {
      store.closeCall(callId, {
        endReason: outcome.endReason,
        status: outcome.status,
        outcome: outcome.action === 'transfer' ? `transfer:${outcome.transferTo ?? ''}` : outcome.action,
      });
      await store.close(flushDeadlineMs);
    },
  };
}
