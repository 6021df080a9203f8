import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths.ts';

/**
 * The layering of src/, read from the source: one folder per stage, engines that know no other
 * engine, helpers that know no stage. Every relative import counts (static, type-only, re-export
 * and dynamic `import()`), since each one ties two folders together.
 */
const STAGES = ['agi', 'ari', 'audio', 'stt', 'vad', 'tts', 'llm', 'store', 'call', 'serve', 'cli', 'simulate'];
const ENGINES = ['stt', 'vad', 'tts', 'llm', 'store'];
/** Helper rooms; a top-level file (src/log.ts, src/errors.ts) is its own room. */
const HELPERS = ['runtime', 'net', 'config', 'log', 'errors'];

interface Edge {
  /** Both paths relative to src/, with `/` separators. */
  from: string;
  to: string;
}

const IMPORT_PATTERNS = [
  /^\s*(?:import|export)\s[^;]*?\sfrom\s+['"](\.{1,2}\/[^'"]+)['"]/gm,
  /^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm,
  /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
}

function importEdges(srcDir: string): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of IMPORT_PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const target = resolve(dirname(file), match[1] ?? '');
        const to = relative(srcDir, target).split('\\').join('/');
        if (to.startsWith('..')) continue; // package.json and other files outside src/
        edges.push({ from: relative(srcDir, file).split('\\').join('/'), to });
      }
    }
  }
  return edges;
}

/** The room of a file: its first folder under src/, or its name for a top-level file. */
function roomOf(path: string): string {
  const [first = ''] = path.split('/');
  return first.endsWith('.ts') ? first.slice(0, -'.ts'.length) : first;
}

/** Imports that break a layering rule, as readable lines. */
function layeringViolations(edges: readonly Edge[]): string[] {
  const broken: string[] = [];
  for (const { from, to } of edges) {
    const a = roomOf(from);
    const b = roomOf(to);
    if (a === b) continue;
    const line = `src/${from} imports src/${to}`;
    if (a === 'audio' && (b === 'agi' || b === 'ari')) broken.push(`${line} (audio knows nothing of a transport)`);
    if ((a === 'agi' && b === 'ari') || (a === 'ari' && b === 'agi')) broken.push(`${line} (the two transports know nothing of each other)`);
    if (HELPERS.includes(a) && STAGES.includes(b)) broken.push(`${line} (a helper imports no stage)`);
    if (ENGINES.includes(a) && ENGINES.includes(b)) broken.push(`${line} (an engine imports no other engine)`);
  }
  return broken;
}

/** Every file-level import cycle, each as the files around it. */
function importCycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const target of next.get(file) ?? []) {
      const seen = state.get(target);
      if (seen === 'open') cycles.push([...path.slice(path.indexOf(target)), target]);
      else if (seen === undefined) visit(target);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...next.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

const edges = importEdges(join(repoRoot, 'src'));

test('the import reader sees the tree: static, type-only and dynamic imports alike', () => {
  const has = (from: string, to: string) => edges.some((edge) => edge.from === from && edge.to === to);
  assert.ok(edges.length > 200, `only ${edges.length} relative imports found under src/`);
  assert.ok(has('agi/session.ts', 'audio/fd3-reader.ts'), 'a static import');
  assert.ok(has('call/adapters/agi-line.ts', 'agi/session.ts'), 'a type-only import');
  assert.ok(has('cli/program.ts', 'call/entry.ts'), 'a dynamic import');
});

test('layering: audio imports no agi, helpers import no stage, engines import no other engine', () => {
  assert.deepEqual(layeringViolations(edges), []);
});

test('no import cycle between files of src/', () => {
  assert.deepEqual(importCycles(edges).map((cycle) => cycle.join(' -> ')), []);
});

test('the rules catch each kind of bad import', () => {
  const bad: Edge[] = [
    { from: 'audio/fd3-reader.ts', to: 'agi/errors.ts' },
    { from: 'runtime/setup-checks.ts', to: 'llm/prompt.ts' },
    { from: 'tts/piper-tts.ts', to: 'stt/abortable.ts' },
    { from: 'vad/silero.ts', to: 'stt/engine.ts' },
    { from: 'errors.ts', to: 'agi/errors.ts' },
  ];
  assert.equal(layeringViolations(bad).length, bad.length);
  assert.deepEqual(importCycles([{ from: 'cli/doctor.ts', to: 'cli/program.ts' }, { from: 'cli/program.ts', to: 'cli/doctor.ts' }]),
    [['cli/doctor.ts', 'cli/program.ts', 'cli/doctor.ts']]);
});
