/** What the engine needs from the process around it. Times are call time in ms. */
export interface EngineHost {
  nowMs(): number;
  /** Run `fn` after `delayMs` of call time; returns a cancel function. */
  after(delayMs: number, fn: () => void): () => void;
  /** Bytes to the script's stdin. */
  write(text: string): void;
  /** The channel just hung up (after the running command's reply was written). */
  hungUp(cause: string): void;
  /** fd 3 carries caller audio except during EXEC, CONTROL STREAM FILE and RECORD FILE. */
  setAudioFlowing(flowing: boolean): void;
  played(playback: PlaybackRecord): void;
  /**
   * Bot audio starts reaching the caller: `samples` (the sound from the start offset) from call
   * time `startMs` on. The returned function, if any, learns how many of them were played when
   * the playback ends, however it ends (the line echo needs both).
   */
  playbackStarted?(start: { startMs: number; samples: Int16Array; sampleRateHz: number }): ((playedSamples: number) => void) | undefined;
  commandStarted(line: string): void;
  commandDone(record: CommandRecord): void;
  event(kind: string, fields?: Record<string, unknown>): void;
}

/** One command as the fake Asterisk saw it, in the shape of testdata/asterisk-22/commands/*.jsonl. */
export interface CommandRecord {
  t_ms: number;
  cmd: string;
  /** Exact reply lines; empty when the command was interrupted without a reply. */
  reply: string[];
  elapsed_ms: number;
  interrupted: boolean;
  /** The channel was already hung up when the command arrived. */
  dead: boolean;
}

/** Bot audio that reached the caller: `samples` from `startMs` on, at `sampleRateHz`. */
export interface PlaybackRecord {
  startMs: number;
  file: string;
  samples: Int16Array;
  sampleRateHz: number;
  how: 'completed' | 'digit' | 'interrupted' | 'hangup';
}

export interface EngineOptions {
  channelName: string;
  extension: string;
  context: string;
  callerIdNum: string;
  callerIdName: string;
  soundsDir: string;
  /** Rate of the channel (8000 for slin, 16000 for slin16). */
  channelRateHz: number;
  variables?: Record<string, string>;
}
