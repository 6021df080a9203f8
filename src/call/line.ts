import type { AudioFrame } from '../audio/pcm.ts';
import type { Logger } from '../log.ts';
import type { CallChannel } from './ports.ts';

/** Who and where the call is, as the call log records it (AGI env block or ARI channel). */
export interface CallIdentity {
  uniqueId: string;
  channel: string;
  callerId: string;
  callerIdName: string;
  dnid: string;
  context: string;
  extension: string;
}

/**
 * One call as a transport delivers it (EAGI: stdin/stdout/fd 3; ARI: REST, events and a media
 * socket): what the composition root needs to run the same call session over either.
 */
export interface CallLine {
  identity: CallIdentity;
  /** Aborted once, at the call's end, whatever the cause. */
  hangup: AbortSignal;
  /** Caller audio; undefined when the transport has none (then `audioError` says why). */
  audio: AsyncIterable<AudioFrame> | undefined;
  audioError: Error | undefined;
  /** The CallChannel port; `listenSound` gives the silent file a transport may play to keep keys live. */
  channel(listenSound: () => string): CallChannel;
  /** Called once the greeting is out: the moment for transport work that must not delay it. */
  greeted?(log: Logger): void;
}
