import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CallStore } from '../../src/store/call-store.ts';
import { recordingLogger } from '../store/helpers.ts';
import { nodeBin, repoRoot } from '../support/paths.ts';
import { speechUnavailable } from '../support/speech.ts';
import { citedPaths, commandLines, fencedBlocks } from './markdown.ts';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const DOCS = ['README.md', 'models/README.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const readme = read('README.md');

/** Places the docs name that are made later (by scripts/fetch-models), not files of the repository. */
const MADE_LATER = new Set(['models/vosk/', 'models/vosk', 'models/voice.onnx', 'models/voice.onnx.json']);

/**
 * README commands that a test here cannot run, and why. `sh on-the-pbx` blocks need an installed
 * voicebot, Asterisk or root; `sh needs-network` blocks download. Every such line must be listed.
 */
const NOT_RUN_HERE: Record<string, string> = {
  'scripts/fetch-models': 'downloads ~100 MB (test/deploy/fetch-models.test.ts runs it against a local mirror)',
  'make install': 'root install onto the PBX (test/deploy/install.test.ts runs install-only into a DESTDIR)',
  'voicebot doctor --user asterisk': 'an installed voicebot on the PBX (test/deploy/doctor.test.ts runs doctor)',
  'sudo /usr/local/share/voicebot/fetch-models --dest /var/lib/voicebot/models': 'an installed box with internet',
  "asterisk -rx 'dialplan reload'": 'a running Asterisk',
  'voicebot doctor --profile orders': 'an installed voicebot and a config with an [orders] profile',
  'voicebot bench --profile receptionist': 'an installed voicebot with the profile\'s models (test/capacity/bench-command.test.ts runs bench --quick from source)',
  'sudo -u asterisk voicebot doctor': 'an installed voicebot and the asterisk account',
  'systemctl enable --now voicebot': 'systemd on the PBX with ARI set up (test/serve runs voicebot serve against the fake ARI Asterisk)',
  'voicebot calls list --since 1d': 'the live call log of a PBX (the same command runs below on a demo call log)',
  'voicebot calls show 20251123-214501-7f3a': 'a call id of the live call log (test/store/cli.test.ts runs calls show)',
  'voicebot calls export --since 30d --format jsonl > calls.jsonl': 'the live call log (test/store/cli.test.ts runs calls export)',
  'voicebot calls prune --older-than 90d': 'the live call log (test/store/cli.test.ts runs calls prune)',
};

/** README commands that run from a checkout, covered by another test (too long or too big to run twice). */
const RUN_BY_OTHER_TESTS: Record<string, { file: string; contains: string }> = {
  'make demo': { file: 'test/simulate/simulate-cli.test.ts', contains: "'--demo'" },
  'make test': { file: '.ci/run', contains: 'make test' },
  'make build': { file: 'test/build/sea.test.ts', contains: "'scripts', 'build.ts'" },
  'dist/voicebot --version': { file: 'test/build/sea.test.ts', contains: "runAlone(['--version'])" },
  'dist/voicebot doctor --native': { file: 'test/build/sea.test.ts', contains: "runAlone(['doctor', '--native']" },
};

describe('README and docs tell the truth', () => {
  test('every file the README and the docs cite exists', () => {
    const missing: string[] = [];
    for (const doc of DOCS) {
      const base = doc.includes('/') ? doc.slice(0, doc.lastIndexOf('/')) : '';
      for (const path of citedPaths(read(doc), base)) {
        if (!MADE_LATER.has(path) && !existsSync(join(repoRoot, path))) missing.push(`${doc}: ${path}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('every fenced block of the README is labelled, and every shell command is classified', () => {
    const problems: string[] = [];
    for (const block of fencedBlocks(readme)) {
      if (block.info === '') problems.push(`README.md:${block.line}: a code block without a label (sh, sh on-the-pbx, sh needs-network, sql, ini, text)`);
      if (!block.info.startsWith('sh')) continue;
      const runsHere = block.info === 'sh';
      for (const command of commandLines(block)) {
        const known = runsHere ? command in RUN_BY_OTHER_TESTS || RUN_HERE.some((c) => c === command) : command in NOT_RUN_HERE;
        if (!known) problems.push(`README.md:${block.line}: ${runsHere ? 'runs from a checkout but no test runs it' : 'needs the PBX or the network but is not listed with its reason'}: ${command}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('the commands other tests cover are really in them, and make targets are what they say', () => {
    for (const [command, { file, contains }] of Object.entries(RUN_BY_OTHER_TESTS)) {
      assert.ok(read(file).includes(contains), `${command}: ${file} contains ${contains}`);
    }
    const makefile = read('Makefile');
    assert.match(makefile, /^demo: setup\n\t\$\(NPM\) run demo$/m);
    assert.match(makefile, /^test: setup\n\t\$\(NPM\) test$/m);
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts['demo'], 'node src/cli/main.ts simulate --demo');
    assert.equal(pkg.scripts['voicebot'], 'node src/cli/main.ts', 'npm run voicebot -- X is node src/cli/main.ts X');
  });

  test('the Debian package list of the README is the one .ci/run installs', () => {
    const ci = /debian_packages="([^"]+)"/.exec(read('.ci/run'))?.[1]?.split(/\s+/).sort();
    const listed = /Debian packages, the same list `\.ci\/run` installs before it runs `make test`:\s*`([^`]+)`/.exec(readme)?.[1]?.split(/\s+/).sort();
    assert.ok(ci !== undefined && listed !== undefined, 'both lists found');
    assert.deepEqual(listed, ci);
  });

  test('the README runs the checkout commands it shows: a padded caller, a simulated call, its call log', { skip: speechUnavailable() ?? false }, () => {
    const work = mkdtempSync(join(tmpdir(), 'voicebot-readme-'));
    for (const command of RUN_HERE) {
      const result = runFromCheckout(command, work);
      assert.equal(result.status, 0, `${command}\n${result.stdout}\n${result.stderr}`);
      if (command.includes('calls list')) assert.match(result.stdout, /^ID +STARTED/m);
    }
  });

  test('the sqlite3 lines of the README run on this sqlite3 (Debian 12 ships 3.40)', { skip: spawnSync('sqlite3', ['-version']).status === 0 ? false : 'no sqlite3' }, async () => {
    const sql = fencedBlocks(readme).find((block) => block.info === 'sql');
    assert.ok(sql !== undefined);
    const db = join(mkdtempSync(join(tmpdir(), 'voicebot-readme-sql-')), 'calls.db');
    const store = new CallStore({ path: db, logger: recordingLogger().logger, exitHook: false });
    const id = store.openCall({ uniqueid: '1700000000.42', callerNumber: '+15551234', startedAtMs: Date.now() - 60_000 });
    store.addTurn(id, { role: 'bot', text: 'Hello, how can I help you today? We are open from nine in the morning until late.', endedAtMs: Date.now() - 55_000 });
    store.closeCall(id, { endReason: 'bot_goodbye', status: 'OK' });
    await store.close();
    const result = spawnSync('sqlite3', ['-readonly', db], { input: sql.lines.join('\n'), encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /Hello, how can I help you today\?/);
  });
});

/** The README's checkout commands this test runs itself (with `out/` in a temp folder). */
const RUN_HERE = [
  'mkdir -p out',
  'espeak-ng -w out/hi.wav "Hello, when are you open on Saturday?"',
  'sox out/hi.wav out/hi-padded.wav pad 3',
  'npm run voicebot -- simulate --caller out/hi-padded.wav -o out/try',
  'npm run voicebot -- calls list --db out/try/calls.db',
];

/**
 * Runs a README command as a checkout user would, but in `work` instead of the checkout: `out/`
 * becomes `<work>/out/`, and `npm run voicebot --` is what that script is (node src/cli/main.ts).
 * The simulated call runs 4x faster than real time, with the test engines `simulate` picks itself.
 */
function runFromCheckout(command: string, work: string) {
  const words = (command.match(/"[^"]*"|\S+/g) ?? []).map((word) => word.replace(/^"(.*)"$/, '$1').replace(/^out\//, `${join(work, 'out')}/`).replace(/^out$/, join(work, 'out')));
  const env = { PATH: process.env['PATH'], HOME: work };
  if (words[0] === 'npm' && words[1] === 'run' && words[2] === 'voicebot' && words[3] === '--') {
    const args = words.slice(4);
    if (args[0] === 'simulate') args.push('--speed', '4', '--hangup-after', '8');
    return spawnSync(nodeBin, [join(repoRoot, 'src', 'cli', 'main.ts'), ...args], { cwd: work, env, encoding: 'utf8', timeout: 240_000 });
  }
  const [program, ...args] = words;
  return spawnSync(program ?? 'false', args, { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
}
