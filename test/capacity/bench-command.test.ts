import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { BenchReport } from '../../src/capacity/bench-report.ts';
import { startFakeOllama } from '../../src/simulate/fake-ollama.ts';
import { writeTinyVoskModel } from '../../src/simulate/tiny-vosk-model.ts';
import { collect, type ProcessResult } from '../store/helpers.ts';
import { mainTs, nodeBin, repoRoot } from '../support/paths.ts';
import { speechUnavailable } from '../support/speech.ts';

const dir = mkdtempSync(join(tmpdir(), 'voicebot-bench-test-'));
const model = writeTinyVoskModel(join(dir, 'tiny-vosk-model'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A config with the test engines whose own call log, log and cache must stay untouched. */
function liveConfig(name: string, ollamaHost: string): { configPath: string; live: string[] } {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const live = [join(folder, 'live', 'calls.db'), join(folder, 'live', 'voicebot.log'), join(folder, 'live', 'cache')];
  const configPath = join(folder, 'voicebot.conf');
  writeFileSync(configPath, [
    '[general]', `vosk_model_dir = ${model}`, 'voice_engine = test-tone', `ollama_host = ${ollamaHost}`, 'ollama_model = fake-demo',
    `db_path = ${live[0]}`, `log_file = ${live[1]}`, `cache_dir = ${live[2]}`, '',
  ].join('\n'));
  return { configPath, live };
}

/** `voicebot bench` from source, with its own TMPDIR to see that its temp folder is removed. */
async function bench(args: string[], tmp: string): Promise<ProcessResult> {
  mkdirSync(tmp, { recursive: true });
  const child = spawn(nodeBin, [mainTs, 'bench', ...args], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'], HOME: dir, TMPDIR: tmp },
  });
  return collect(child);
}

/** What voicebot left in TMPDIR (espeak-ng's audio library leaves a pulse-* folder of its own). */
function voicebotLeftovers(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => !name.startsWith('pulse-'));
}

function assertEnginesLabelled(report: BenchReport): void {
  assert.match(report.engines.stt.engine, /TEST ENGINE/);
  assert.equal(report.engines.stt.testEngine, true);
  assert.ok(report.engines.stt.rtf > 0 && report.engines.stt.audioMs >= 8000, `STT RTF over ~10 s of speech: ${JSON.stringify(report.engines.stt)}`);
  assert.match(report.engines.tts.engine, /TEST ENGINE: voice_engine = test-tone/);
  assert.equal(report.engines.tts.testEngine, true);
  assert.equal(typeof report.engines.tts.firstSentenceMs, 'number');
  assert.equal(report.testEngines, true);
}

describe('voicebot bench', { skip: speechUnavailable() ?? false }, () => {
  test('--quick --json with the test engines and a (fake) Ollama: labelled engine figures, N = 1, 2, 4, a recommendation, nothing written outside its temp folder', async () => {
    const ollama = await startFakeOllama({ script: () => ({ content: 'We are open from nine to five on Saturday.', firstTokenDelayMs: 100 }), tokenDelayMs: 30 });
    try {
      const { configPath, live } = liveConfig('reachable', ollama.host);
      const tmp = join(dir, 'tmp-reachable');
      const run = await bench(['--config', configPath, '--quick', '--json'], tmp);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as BenchReport;
      assertEnginesLabelled(report);
      const llm = report.engines.llm;
      assert.equal(llm.reachable, true, JSON.stringify(llm));
      assert.match(llm.engine, /TEST ENGINE: a fake Ollama/);
      assert.ok((llm.firstTokenMs ?? 0) >= 100, `time to first token: ${JSON.stringify(llm)}`);
      assert.ok((llm.tokensPerSecond ?? 0) > 0);
      assert.equal(report.capacity.llm, llm.engine, 'the calls asked the profile\'s Ollama');
      assert.deepEqual(report.capacity.levels.map((level) => level.n), [1, 2, 4]);
      for (const level of report.capacity.levels) {
        assert.ok((level.latencyP50Ms ?? 0) > 0 && (level.latencyP95Ms ?? 0) >= (level.latencyP50Ms ?? 0), `N=${level.n}: ${JSON.stringify(level)}`);
        assert.equal(level.turns, level.n * 3);
      }
      assert.ok(report.capacity.recommendedMaxConcurrentCalls >= 1, report.capacity.why);
      assert.match(run.stderr, /voicebot bench: N=4 (passed|FAILED)/, 'progress on stderr');
      assert.ok(ollama.requests.filter((request) => request.path === '/api/chat').length >= 1 + 7 * 3, 'the bench\'s chat and every call turn reached the Ollama');
      for (const path of live) assert.equal(existsSync(path), false, `${path} must not be written`);
      assert.deepEqual(voicebotLeftovers(tmp), [], 'the temp folder is removed');
    } finally {
      await ollama.close();
    }
  });

  test('Ollama unreachable: said so, and the calls run on the built-in fake Ollama (labelled)', async () => {
    const { configPath, live } = liveConfig('unreachable', 'http://127.0.0.1:9');
    const tmp = join(dir, 'tmp-unreachable');
    const run = await bench(['--config', configPath, '--quick', '--max-calls', '1'], tmp);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /LLM {2}Ollama http:\/\/127\.0\.0\.1:9 model fake-demo: UNREACHABLE/);
    assert.match(run.stdout, /replies: TEST ENGINE: the built-in fake Ollama/);
    assert.match(run.stdout, /^\| 1 \| pass \|/m);
    assert.match(run.stdout, /Recommended: max_concurrent_calls = 1/);
    for (const path of live) assert.equal(existsSync(path), false, `${path} must not be written`);
    assert.deepEqual(voicebotLeftovers(tmp), []);
  });

  test('a bad --max-calls is a usage error (exit 2) before anything runs', async () => {
    const tmp = join(dir, 'tmp-usage');
    const run = await bench(['--config', liveConfig('usage', 'http://127.0.0.1:9').configPath, '--max-calls', '0'], tmp);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--max-calls must be a whole number from 1 to 1000/);
    assert.deepEqual(voicebotLeftovers(tmp), []);
  });
});
