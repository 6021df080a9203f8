import type { CommandSpec } from './command.ts';
import type { AgiReply } from './reply.ts';

/** What one command came back with. `reply` is undefined when it was interrupted without a reply. */
export interface CommandOutcome {
  reply: AgiReply | undefined;
  /** We interrupted it (barge-in): STREAM FILE & co. then send no reply, WAIT FOR DIGIT answers 1. */
  interrupted: boolean;
  /** ms from writing the command to its outcome. */
  elapsedMs: number;
}

/** A command sent through the channel, queued or written, until it settles or fails. */
export interface Pending {
  line: string;
  spec: CommandSpec;
  /** Set on the command we write to interrupt a running one; its reply carries this text. */
  nonce: string | undefined;
  writtenAtMs: number;
  interruptRequested: boolean;
  /** STREAM FILE: how long the file plays, for its reply deadline (undefined: unknown). */
  playbackMs?: number | undefined;
  /** Runs while the command waits for its reply (reply-deadline.ts). */
  deadlineTimer?: NodeJS.Timeout | undefined;
  settle: (outcome: CommandOutcome) => void;
  fail: (error: Error) => void;
}
