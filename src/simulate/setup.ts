import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defaultConfig } from '../config/load.ts';
import { checkOllama } from '../llm/health.ts';
import { programDir } from '../runtime/native.ts';
import { checkEspeakData, checkPiperVoice, checkVoskModel } from '../call/setup-checks.ts';
import { checkEspeakProgram } from '../tts/espeak-test-voice.ts';
import { writeTinyVoskModel } from './tiny-vosk-model.ts';
import { demoScript, startFakeOllama, type FakeOllama, type FakeScript } from './fake-ollama.ts';

export interface SimulationSetup {
  /** The voicebot.conf the simulated call runs with. */
  configPath: string;
  /** One line per engine: what runs, and for a test engine exactly what is missing. */
  engines: string[];
  /** True when any test engine stands in for a real one. */
  usesTestEngines: boolean;
  /** Stops the fake Ollama, if one was started. */
  close(): Promise<void>;
}

export interface SimulationSetupOptions {
  /** Files of the run (config, generated model, db, log, audio) go here. */
  outDir: string;
  env?: NodeJS.ProcessEnv;
  /** Use test engines even when real ones exist (tests). */
  forceTestEngines?: boolean;
  /** The test voice where no Piper voice is used (default test-espeak; test-tone when espeak-ng is missing). */
  testVoice?: 'test-espeak' | 'test-tone';
  /** Script of the fake Ollama when it is used (default: the demo receptionist). */
  fakeOllamaScript?: FakeScript;
  /** Use the fake Ollama even when a real one answers (scripted replies were asked for). */
  forceFakeOllama?: boolean;
  fakeOllamaTokenDelayMs?: number;
  /** Extra `key = value` lines for [general]. */
  extraSettings?: Record<string, string | number | boolean>;
}

/**
 * Picks the engines for a simulated call: real models where they are (models/ beside the program or
 * in the working folder, or VOICEBOT_VOSK_MODEL_DIR / VOICEBOT_PIPER_VOICE / OLLAMA_HOST), and test
 * engines where they are not, each named with what is missing. Writes a voicebot.conf for the call,
 * so the call process runs its normal path; test engines only enter through that file.
 */
export async function prepareSimulation(options: SimulationSetupOptions): Promise<SimulationSetup> {
  const env = options.env ?? process.env;
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const defaults = defaultConfig();
  const force = options.forceTestEngines === true;
  const engines: string[] = [];
  let usesTestEngines = false;
  const settings: Record<string, string | number | boolean> = {
    db_path: join(outDir, 'calls.db'),
    log_file: join(outDir, 'voicebot.log'),
    cache_dir: join(outDir, 'cache'),
  };

  const modelDirs = modelFolders();
  const voskDir = env['VOICEBOT_VOSK_MODEL_DIR'] || modelDirs.map((dir) => join(dir, 'vosk')).find((dir) => checkVoskModel(dir).ok);
  if (!force && voskDir !== undefined && checkVoskModel(voskDir).ok) {
    settings['vosk_model_dir'] = voskDir;
    engines.push(`STT  Vosk model ${voskDir}`);
  } else {
    usesTestEngines = true;
    settings['vosk_model_dir'] = writeTinyVoskModel(join(outDir, 'test-engines', 'tiny-vosk-model'));
    engines.push(`STT  TEST ENGINE: a generated energy-detector Vosk model (real libvosk; it hears "hello" for each stretch of speech). Missing: ${force ? '(test engines forced)' : `a Vosk model in ${modelDirs.map((dir) => join(dir, 'vosk')).join(' or ')} (see models/README.md) or VOICEBOT_VOSK_MODEL_DIR`}`);
  }

  const espeak = env['VOICEBOT_ESPEAK_DATA_DIR'] || defaults.espeak_data_dir;
  const voice = env['VOICEBOT_PIPER_VOICE'] || modelDirs.map((dir) => join(dir, 'voice.onnx')).find((path) => checkPiperVoice(path).ok);
  if (!force && voice !== undefined && checkPiperVoice(voice).ok && checkEspeakData(espeak).ok) {
    settings['piper_voice'] = voice;
    settings['espeak_data_dir'] = espeak;
    engines.push(`TTS  Piper voice ${voice}`);
  } else {
    usesTestEngines = true;
    const missing = voice !== undefined && checkPiperVoice(voice).ok
      ? `espeak-ng data in ${espeak} (apt-get install espeak-ng-data)`
      : `a Piper voice at ${modelDirs.map((dir) => join(dir, 'voice.onnx')).join(' or ')} (+ .onnx.json; see models/README.md) or VOICEBOT_PIPER_VOICE`;
    const espeakProgram = checkEspeakProgram();
    const testVoice = options.testVoice ?? 'test-espeak';
    if (testVoice === 'test-espeak' && espeakProgram.ok) {
      settings['voice_engine'] = 'test-espeak';
      engines.push(`TTS  TEST ENGINE: espeak-ng speaks the bot's sentences (a robotic test voice, not Piper). Missing: ${force ? '(test engines forced)' : missing}`);
    } else {
      settings['voice_engine'] = 'test-tone';
      const why = testVoice === 'test-tone' ? '' : ` (no espeak test voice: ${espeakProgram.detail})`;
      engines.push(`TTS  TEST ENGINE: tone voice, BEEPS as long as each sentence${why}. Missing: ${force ? '(test engines forced)' : missing}`);
    }
  }

  const host = env['VOICEBOT_OLLAMA_HOST'] || env['OLLAMA_HOST'] || defaults.ollama_host;
  const model = env['VOICEBOT_OLLAMA_MODEL'] || defaults.ollama_model;
  let fake: FakeOllama | undefined;
  const health = force || options.forceFakeOllama === true ? undefined : await checkOllama(host, model, { timeoutMs: 1500 });
  if (health?.ok === true) {
    settings['ollama_host'] = host;
    settings['ollama_model'] = model;
    engines.push(`LLM  Ollama ${host} model ${model}`);
  } else {
    usesTestEngines = true;
    fake = await startFakeOllama({ script: options.fakeOllamaScript ?? demoScript, tokenDelayMs: options.fakeOllamaTokenDelayMs ?? 50 });
    settings['ollama_host'] = fake.host;
    settings['ollama_model'] = model;
    engines.push(`LLM  TEST ENGINE: scripted fake Ollama on ${fake.host} (${options.fakeOllamaScript === undefined ? 'echoes the caller, ends on goodbye' : 'the scripted replies'}). Missing: ${health === undefined ? (force ? '(test engines forced)' : '(scripted replies asked for)') : `${health.detail}; fix: ${health.fix}`}`);
  }

  Object.assign(settings, options.extraSettings ?? {});
  const configPath = join(outDir, 'voicebot.conf');
  const lines = ['; written by voicebot simulate for one simulated call', '[general]'];
  for (const [key, value] of Object.entries(settings)) lines.push(`${key} = ${typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value).replace(/;/g, '\\;')}`);
  writeFileSync(configPath, `${lines.join('\n')}\n`);
  return {
    configPath, engines, usesTestEngines,
    close: async () => { await fake?.close(); },
  };
}

/** models/ in the working folder, beside the program, and at the top of the source tree. */
function modelFolders(): string[] {
  const candidates = [resolve('models'), join(programDir(), 'models'), join(dirname(programDir()), 'models')];
  return [...new Set(candidates)].filter((dir, index) => index === 0 || existsSync(dir));
}
