// Loaded on use: a call whose voice is not espeak-ng never needs a child process (call start, bench/call-start.ts).
const childProcess = (): typeof import('node:child_process') => process.getBuiltinModule('node:child_process');
import type { Pcm } from '../audio/pcm.ts';
import { parseWav } from '../audio/wav.ts';
import { VoicebotError } from '../errors.ts';
import { abortError, throwIfAborted } from '../runtime/abortable.ts';
import type { SynthesizeOptions, TtsEngine } from './engine.ts';
import { checkSpeakableText, DEFAULT_MAX_TEXT_CHARS } from './text-check.ts';
import { fail, pass, type CheckResult } from '../runtime/native-check.ts';

/** The espeak-ng program (Debian package espeak-ng). */
export const ESPEAK_BINARY = 'espeak-ng';

/** Why the espeak test voice cannot run here, or undefined when `espeak-ng --version` works. */
export function espeakUnavailable(binary = ESPEAK_BINARY): string | undefined {
  const probe = childProcess().spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  return probe.status === 0 ? undefined : `${binary} is not installed or does not run (apt-get install espeak-ng)`;
}

/** The espeak-ng program the test-espeak voice runs (a TEST ENGINE). */
export function checkEspeakProgram(): CheckResult {
  const name = 'espeak test voice';
  const reason = espeakUnavailable();
  if (reason !== undefined) return fail(name, `voice_engine = test-espeak, but ${reason}`, 'apt-get install espeak-ng, or set voice_engine = piper');
  return pass(name, `${ESPEAK_BINARY} runs`);
}

/**
 * TEST ENGINE, not a product voice: Debian's espeak-ng speaks each sentence (robotic, but words),
 * so a demo without a Piper voice can be understood. One child process per sentence, the text is
 * one argument (no shell). Its 22.05 kHz output goes through the same file pipeline as Piper's.
 */
export class EspeakTestVoice implements TtsEngine {
  readonly name = 'espeak-test-voice (TEST ENGINE: espeak-ng, not a Piper voice)';
  readonly sampleRateHz = 22050;
  readonly cacheKey: string;
  readonly #binary: string;
  readonly #voice: string;
  readonly #maxTextChars: number;

  constructor(options: { binary?: string; voice?: string; maxTextChars?: number } = {}) {
    this.#binary = options.binary ?? ESPEAK_BINARY;
    this.#voice = options.voice ?? 'en-us';
    this.#maxTextChars = options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
    this.cacheKey = `espeak-test-voice\0${this.#voice}`;
  }

  async synthesize(text: string, options: SynthesizeOptions = {}): Promise<Pcm> {
    const speakable = checkSpeakableText(text, this.#maxTextChars);
    const signal = options.signal;
    if (signal?.aborted === true) throw abortError(signal);
    const child = childProcess().spawn(this.#binary, ['-v', this.#voice, '--stdout', '--', speakable], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        child.on('error', (error) => reject(new VoicebotError('TTS_FAILED', `${this.#binary} could not start (${error.message}); install it: apt-get install espeak-ng`, { cause: error })));
        child.on('close', (exitCode) => resolve(exitCode));
      });
      throwIfAborted(signal);
      if (code !== 0) throw new VoicebotError('TTS_FAILED', `${this.#binary} exited with ${String(code)}: ${stderr.trim().slice(0, 200)}`);
      const wav = parseWav(Buffer.concat(chunks), `${this.#binary} output`);
      return { sampleRateHz: wav.sampleRateHz, samples: wav.samples };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {}
}
