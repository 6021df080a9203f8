import type { AriCore } from './ari-core.ts';
import type { AriChannel } from './ari-model.ts';
import { FRAME_MS, FrameClock } from './frame-clock.ts';
import { formatToPcm, type MediaFormat, optimalFrameBytes, pcmToFormat, silenceByte } from './media-format.ts';
import type { MediaSession } from './media-session.ts';

/** How a call left the fake Asterisk. */
export type FakeCallEndHow = 'continue' | 'app-hangup' | 'caller-hangup' | 'stasis-failed' | 'core-stop';

export interface DialplanTarget {
  context: string;
  extension: string;
  priority: number;
}

export interface FakeCallEnd {
  how: FakeCallEndHow;
  /** Every variable the app set on the bot channel over ARI, last value wins. */
  variables: Record<string, string>;
  /** The last `continue` target, when the app sent one. */
  continueTo?: DialplanTarget;
  /** Milliseconds since `placeCall`. */
  atMs: number;
}

/** One 20 ms frame the caller heard, located in `FakeAriHeard.samples`. */
export interface HeardFrame {
  atMs: number;
  startSample: number;
  sampleCount: number;
  fromChannelId: string;
}

export interface FakeAriHeard {
  rateHz: number;
  samples: Int16Array;
  frames: readonly HeardFrame[];
}

export interface FakeCallLogEntry {
  atMs: number;
  what: string;
  detail?: string;
}

/** What the dialplan does after `continue`: enter Stasis again (with these args), or nothing. */
export type ContinueDialplan = (target: DialplanTarget) => { args: readonly string[]; priority?: number } | undefined;

/** The dialplan side of one call placed into Stasis: caller audio pump, DTMF, hangup, what was heard. */
export class FakeAriCall {
  readonly channelId: string;
  readonly ended: Promise<FakeCallEnd>;
  readonly events: FakeCallLogEntry[] = [];
  readonly channel: AriChannel;
  readonly callerRateHz: number;
  readonly #core: AriCore;
  readonly #sessionsOf: (channel: AriChannel) => MediaSession[];
  readonly #startMs = performance.now();
  readonly #audio: Int16Array;
  readonly #sendSilence: boolean;
  readonly #encoded = new Map<MediaFormat, Uint8Array>();
  readonly #pump: FrameClock;
  readonly #heardParts: Int16Array[] = [];
  readonly #heardFrames: HeardFrame[] = [];
  readonly #variables: Record<string, string> = {};
  readonly continueDialplan: ContinueDialplan | undefined;
  #heardSamples = 0;
  #framePosition = 0;
  #continueTo: DialplanTarget | undefined;
  #resolve!: (end: FakeCallEnd) => void;
  #done = false;

  constructor(options: { core: AriCore; channel: AriChannel; callerAudio: Int16Array; callerRateHz: number; sendSilence: boolean; continueDialplan: ContinueDialplan | undefined; sessionsOf: (channel: AriChannel) => MediaSession[] }) {
    this.#core = options.core;
    this.channel = options.channel;
    this.channelId = options.channel.id;
    this.callerRateHz = options.callerRateHz;
    this.#audio = options.callerAudio;
    this.#sendSilence = options.sendSilence;
    this.continueDialplan = options.continueDialplan;
    this.#sessionsOf = options.sessionsOf;
    this.ended = new Promise((resolve) => { this.#resolve = resolve; });
    this.#pump = new FrameClock(() => this.#pumpFrame());
    this.#pump.start();
  }

  nowMs(): number {
    return performance.now() - this.#startMs;
  }

  log(what: string, detail?: string): void {
    this.events.push(detail === undefined ? { atMs: this.nowMs(), what } : { atMs: this.nowMs(), what, detail });
  }

  /** The caller hangs up: ChannelHangupRequest {cause:16}, leaves the bridge, StasisEnd. */
  hangup(): void {
    if (this.#done) return;
    const channel = this.channel;
    if (channel.inStasis) {
      this.#core.hangupRequest(channel, { cause: 16 });
      if (channel.bridgeId !== undefined) this.#core.leaveBridge(channel);
      this.#core.stasisEnd(channel);
    }
    this.#core.destroy(channel, { cause: 16 });
    this.finish('caller-hangup');
  }

  /** The caller presses a key: ChannelDtmfReceived (END, 100 ms) and DTMF_END on bridged media sockets. */
  sendDtmf(digit: string): void {
    if (this.#done) return;
    this.log('dtmf', digit);
    this.#core.emitChannel(this.channel, 'ChannelDtmfReceived', { digit, duration_ms: 100 });
    for (const session of this.#sessionsOf(this.channel)) session.sendDtmfEnd(digit);
  }

  heard(): FakeAriHeard {
    const samples = new Int16Array(this.#heardSamples);
    let offset = 0;
    for (const part of this.#heardParts) {
      samples.set(part, offset);
      offset += part.length;
    }
    return { rateHz: this.callerRateHz, samples, frames: [...this.#heardFrames] };
  }

  /** A frame played out of a media channel bridged with this call. */
  played(frame: Buffer, format: MediaFormat, fromChannelId: string): void {
    if (this.#done) return;
    const pcm = formatToPcm(frame, format, this.callerRateHz);
    this.#heardParts.push(pcm);
    this.#heardFrames.push({ atMs: this.nowMs(), startSample: this.#heardSamples, sampleCount: pcm.length, fromChannelId });
    this.#heardSamples += pcm.length;
  }

  variableSet(name: string, value: string): void {
    this.#variables[name] = value;
    this.log('variable', `${name}=${value}`);
  }

  continued(target: DialplanTarget): void {
    this.#continueTo = target;
    this.log('continue', `${target.context},${target.extension},${target.priority}`);
  }

  finish(how: FakeCallEndHow): void {
    if (this.#done) return;
    this.#done = true;
    this.#pump.stop();
    this.log('ended', how);
    const end: FakeCallEnd = { how, variables: { ...this.#variables }, atMs: this.nowMs() };
    if (this.#continueTo !== undefined) end.continueTo = this.#continueTo;
    this.#resolve(end);
  }

  /** Stops the caller audio pump without ending the call (server shutdown). */
  dispose(): void {
    this.#pump.stop();
  }

  get isDone(): boolean {
    return this.#done;
  }

  #pumpFrame(): void {
    const sessions = this.#sessionsOf(this.channel);
    if (sessions.length === 0) return;
    const totalFrames = Math.ceil((this.#audio.length * 1000) / this.callerRateHz / FRAME_MS);
    const inAudio = this.#framePosition < totalFrames;
    if (!inAudio && !this.#sendSilence) return;
    for (const session of sessions) {
      const frameBytes = optimalFrameBytes(session.format);
      if (!inAudio) {
        session.sendCallerFrame(Buffer.alloc(frameBytes, silenceByte(session.format)));
        continue;
      }
      const bytes = this.#encodedFor(session.format);
      session.sendCallerFrame(bytes.subarray(this.#framePosition * frameBytes, (this.#framePosition + 1) * frameBytes));
    }
    if (inAudio) this.#framePosition += 1;
  }

  #encodedFor(format: MediaFormat): Uint8Array {
    let bytes = this.#encoded.get(format);
    if (bytes === undefined) {
      bytes = pcmToFormat(this.#audio, this.callerRateHz, format);
      this.#encoded.set(format, bytes);
    }
    return bytes;
  }
}

/** The app's side of a call's ending: DELETE, continue, `core stop now`. */
export function hangupCallByApp(core: AriCore, call: FakeAriCall, cause: { cause: number; soft: true }, how: FakeCallEndHow): void {
  const channel = call.channel;
  core.hangupRequest(channel, cause);
  if (channel.bridgeId !== undefined) core.leaveBridge(channel);
  // A Local channel's other half hanging up shows as a second request with cause 0 on shutdown.
  if (how === 'core-stop') core.hangupRequest(channel, { cause: 0 });
  core.stasisEnd(channel);
  core.destroy(channel, { cause: 16 });
  call.finish(how);
}

/** POST continue: the channel leaves its bridge and Stasis; the dialplan may send it back into Stasis. */
export function continueCall(core: AriCore, call: FakeAriCall, target: DialplanTarget): void {
  const channel = call.channel;
  if (channel.bridgeId !== undefined) core.leaveBridge(channel);
  core.stasisEnd(channel);
  call.continued(target);
  channel.variables.set('STASISSTATUS', 'SUCCESS');
  const again = call.continueDialplan?.(target);
  if (again === undefined) {
    core.destroy(channel, { cause: 16 });
    call.finish('continue');
    return;
  }
  setImmediate(() => {
    if (channel.destroyed) return;
    const dialplan = { context: target.context, exten: target.extension, priority: again.priority ?? target.priority, app_name: 'Stasis', app_data: [channel.app, ...again.args].join(',') };
    core.stasisStart(channel, again.args, dialplan);
    call.log('stasis-start', again.args.join(','));
  });
}
