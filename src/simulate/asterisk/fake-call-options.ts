import type { CallerEvent } from './caller-script.ts';
import type { PhoneLineOptions } from '../line/line-options.ts';
import type { HangupMode } from './hangup-modes.ts';

export interface FakeAsteriskOptions {
  /** The program: `[process.execPath, 'src/cli/main.ts']` or `['/usr/local/bin/voicebot']`. */
  command: readonly string[];
  /** EAGI(voicebot,<args>): become argv and agi_arg_N. */
  args?: readonly string[];
  /** Extra environment (merged over the AST_* variables Asterisk sets). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Caller audio at `callerRateHz`; resampled to the channel rate. Empty: the caller is silent. */
  callerAudio?: Int16Array;
  callerRateHz?: number;
  /** After the caller audio: keep sending silent frames (a SIP leg does) or nothing (a silent Local leg). */
  afterCallerAudio?: 'silence' | 'nothing';
  /** Noise, echo of the playback, G.711 mu-law and gaps on fd 3, as a phone line would add them. */
  line?: PhoneLineOptions;
  audioFormat?: 'slin' | 'slin16';
  hangupMode?: HangupMode;
  /** Call time runs this many times faster than real time (tests); 1 = real time. */
  timeScale?: number;
  events?: readonly CallerEvent[];
  /** Where relative sound names are looked up. */
  soundsDir?: string;
  /** Kill the program (SIGKILL) if it is still running this long after start, in real ms. */
  killAfterMs?: number;
  channelName?: string;
  extension?: string;
  context?: string;
  callerIdNum?: string;
  callerIdName?: string;
  /** Extra channel variables (as set in the dialplan). */
  variables?: Record<string, string>;
  /** Mirror the program's stderr here as it arrives. */
  onStderr?: (text: string) => void;
}
