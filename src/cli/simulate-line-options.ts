import { Option, type Command } from 'commander';
import type { FakeScript } from '../simulate/fake-ollama.ts';
import type { PhoneLineSpec } from '../simulate/line/line-spec.ts';

/** The `voicebot simulate` options for the phone line and the fake Ollama's replies, as commander gives them. */
export interface SimulateLineCliOptions {
  noise: string[];
  noiseSeed: string;
  echo?: string;
  mulaw?: boolean;
  gap: string[];
  afterAudio: 'silence' | 'nothing';
  reply: string[];
  replies?: string;
  tokenMs?: string;
}

/** The checked meaning of those options. */
export interface SimulateLineChoices {
  line: PhoneLineSpec | undefined;
  afterCallerAudio: 'silence' | 'nothing';
  /** What the fake Ollama says (--reply/--replies: it answers even when a real Ollama runs) and its pace (--token-ms). */
  fakeOllama: { script: FakeScript | undefined; tokenDelayMs: number | undefined };
}

const LINE_HELP = `
A phone line and scripted replies (all deterministic: the same options give the same call):
  voicebot simulate --caller q.wav --noise pink@-30 --echo 12dB@100ms
  voicebot simulate --caller q.wav --noise hum50@-35 --noise babble@-30 --mulaw
  voicebot simulate --caller q.wav --gap 2.5s+1.2s --gap 6s+0.8s --after-audio nothing
  voicebot simulate --caller q.wav --reply "$(cat long-answer.txt)" --reply "Goodbye." --token-ms 30
Levels are RMS dBFS (0 dBFS = RMS of a full-scale square wave; a full-scale sine is -3 dBFS).
With a line option, call.wav's left channel is what fd 3 carried (noise, echo; gaps as silence).
`;

/** Adds the phone line and fake-reply options (with examples in --help) to `voicebot simulate`. */
export function addSimulateLineOptions(command: Command): Command {
  return command
    .option('--noise <source@dBFS>', 'noise mixed into the caller audio for the whole call (before, during and after the speech, and while the bot speaks) at an RMS level: white, pink, brown, hum50, hum60 (mains hum with harmonics), babble (espeak-ng talkers, made once into --out) or a WAV file (looped); e.g. pink@-30, hum50@-35, babble@-28, street.wav@-25 (repeatable: mixed)', collect, [])
    .option('--noise-seed <n>', 'seed of the generated noise (same seed, same noise)', '1')
    .option('--echo <loss@delay>', 'line echo: what the fake plays (STREAM FILE) comes back into fd 3 LOSS dB quieter and DELAY later, through G.711 mu-law, and stops with the playback; e.g. 12dB@100ms (real lines: 6-30 dB, 20-300 ms)')
    .option('--mulaw', 'pass the caller audio through G.711 mu-law, as a phone line does (always on with --echo)')
    .option('--gap <start+length>', 'no fd 3 bytes at all for LENGTH from START of call time, as on a DTX/VAD trunk; e.g. 2.5s+1.2s or 4000ms+800ms (repeatable)', collect, [])
    .addOption(new Option('--after-audio <what>', 'once the caller WAV ends, fd 3 carries silent frames (a SIP leg) or nothing at all (a silent Local leg)').choices(['silence', 'nothing']).default('silence'))
    .option('--reply <text>', 'what the built-in fake Ollama answers, one per turn in order, the last repeating (repeatable); used even when a real Ollama runs; e.g. --reply "We open at nine." --reply "Goodbye."', collect, [])
    .option('--replies <file>', 'the fake Ollama\'s replies from a text file, one per line (# starts a comment), as --reply')
    .option('--token-ms <ms>', 'pause between the fake Ollama\'s tokens, so a long reply streams at a pace and can be interrupted; e.g. 30 (default 50)')
    .addHelpText('after', LINE_HELP);
}

/** Checks the options (UsageError naming the fix) before anything is set up. */
export async function simulateLineChoices(options: SimulateLineCliOptions, usesConfig: boolean): Promise<SimulateLineChoices> {
  const { UsageError } = await import('../errors.ts');
  const { parsePhoneLine } = await import('../simulate/line/line-spec.ts');
  const { readRepliesFile, repliesScript } = await import('../simulate/scripted-replies.ts');
  const line = parsePhoneLine({ noise: options.noise, noiseSeed: options.noiseSeed, echo: options.echo, mulaw: options.mulaw, gap: options.gap });
  if (options.reply.length > 0 && options.replies !== undefined) throw new UsageError('give the replies either with --reply or with --replies <file>, not both');
  const replies = options.replies === undefined ? options.reply : readRepliesFile(options.replies);
  let tokenDelayMs: number | undefined;
  if (options.tokenMs !== undefined) {
    tokenDelayMs = Number(options.tokenMs);
    if (!(tokenDelayMs >= 0 && tokenDelayMs <= 5000)) throw new UsageError(`--token-ms ${JSON.stringify(options.tokenMs)}: use milliseconds from 0 to 5000, e.g. 30`);
  }
  if ((replies.length > 0 || tokenDelayMs !== undefined) && usesConfig) {
    throw new UsageError('--reply, --replies and --token-ms set what the built-in fake Ollama says, but with --config the config\'s Ollama answers; drop --config (simulate then writes its own config) or drop them');
  }
  return {
    line,
    afterCallerAudio: options.afterAudio,
    fakeOllama: { script: replies.length > 0 ? repliesScript(replies) : undefined, tokenDelayMs },
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
