import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedTestdata } from '../support/paths.ts';
import { rawDb } from '../store/helpers.ts';
import { callerTimeline, describeRun, readStore, startFaultCall, type FaultCallOptions, type FaultCallResult } from './support/call.ts';
import { DEV_FULL, DEV_ZERO, makeFifo } from './support/special-files.ts';

const silentCaller = callerTimeline([4000]);
const dummyVoice = (() => {
  const dir = sharedTestdata();
  return dir === undefined ? undefined : join(dir, 'piper-dummy', 'test_voice.onnx');
})();

async function refusedCall(options: Partial<FaultCallOptions> & { prepare?: (dir: string) => Record<string, string | number> }): Promise<FaultCallResult> {
  const run = await startFaultCall({
    callerAudio: silentCaller, ollamaHost: 'http://127.0.0.1:9', timeScale: 1, killAfterMs: 20_000,
    ...options,
    settings: { agi_reply_timeout_ms: 2000, ...options.settings },
  });
  return run.finished;
}

/** What every refusal must look like: never answered, status ERROR, a console line, exit 0. */
function assertRefused(result: FaultCallResult, consoleText: RegExp, context: string): void {
  assert.equal(result.exitCode, 0, context);
  assert.equal(result.killed, false, `the process did not hang\n${context}`);
  assert.ok(!result.commands.some((r) => r.cmd === 'ANSWER'), `never answered\n${context}`);
  assert.ok(result.commands.some((r) => r.cmd === 'SET VARIABLE VOICEBOT_STATUS "ERROR"'), `status ERROR\n${context}`);
  const verbose = result.commands.filter((r) => r.cmd.startsWith('VERBOSE "voicebot: not answering:'));
  assert.ok(verbose.some((r) => consoleText.test(r.cmd)), `the reason is on the Asterisk console (VERBOSE before ANSWER)\n${context}`);
}

test('an unknown profile: refused before ANSWER, seen on the Asterisk console, in the log and in the call log', async () => {
  const result = await refusedCall({ args: ['nosuch'] });
  const context = describeRun(result).slice(0, 5000);
  assertRefused(result, /there is no profile \[nosuch\]/, context);
  assert.match(result.log, /not answering: setup error .*there is no profile \[nosuch\]/, 'the [general] log_file has it');
  const stored = readStore(result.dbPath);
  assert.equal(stored.calls[0]?.end_reason, 'setup_error', context);
});

test('log_file that is a folder or /dev/full: the refusal lands in voicebot-fallback.log beside the call log, and in the call log', async () => {
  for (const logFile of ['folder', DEV_FULL]) {
    // A quick refused call makes the temp folder and its config; the test then rewrites log_file.
    const run = await startFaultCall({ callerAudio: silentCaller, ollamaHost: 'http://127.0.0.1:9', timeScale: 1, killAfterMs: 20_000, args: ['nosuch'] });
    await run.finished;
    const dir = run.dir;
    const badLog = logFile === 'folder' ? join(dir, 'logs-folder') : logFile;
    if (logFile === 'folder') mkdirSync(badLog, { recursive: true });
    const config = readFileSync(join(dir, 'voicebot.conf'), 'utf8').replace(/^log_file = .*$/m, `log_file = ${badLog}`);
    const configPath = join(dir, 'bad-log.conf');
    writeFileSync(configPath, config);
    const result = await refusedCall({ configPath });
    const context = describeRun(result).slice(0, 5000);
    assertRefused(result, /key 'log_file'/, context);
    const fallback = join(dir, 'voicebot-fallback.log');
    assert.ok(existsSync(fallback), `${fallback} exists\n${context}`);
    assert.match(readFileSync(fallback, 'utf8'), /not answering: setup error .*key 'log_file'/);
    const db = rawDb(join(dir, 'calls.db'), { readonly: true });
    const rows = db.prepare("SELECT end_reason FROM calls WHERE end_reason = 'setup_error'").pluck().all();
    db.close();
    assert.ok(rows.length >= 1, 'the refusal has its row');
  }
});

interface PathCase {
  key: string;
  /** The settings that put a FIFO or device at the key. */
  settings: (dir: string) => Record<string, string>;
  needsVoice?: boolean;
}

const PATH_CASES: PathCase[] = [
  { key: 'llm_prompt_file', settings: (dir) => ({ llm_prompt_file: makeFifo(dir, 'prompt.fifo') }) },
  { key: 'llm_prompt_file', settings: () => ({ llm_prompt_file: DEV_ZERO }) },
  { key: 'vosk_model_dir', settings: (dir) => ({ vosk_model_dir: makeFifo(dir, 'model.fifo') }) },
  { key: 'vosk_model_dir', settings: (dir) => {
    const model = join(dir, 'tiny-vosk-model');
    const target = join(model, 'am', 'final.mdl');
    writeFileSync(target, '');
    return { vosk_model_dir: model };
  } },
  { key: 'vosk_model_dir', settings: (dir) => {
    const model = join(dir, 'tiny-vosk-model');
    rmSync(join(model, 'conf', 'model.conf'));
    makeFifo(join(model, 'conf'), 'model.conf');
    return { vosk_model_dir: model };
  } },
  { key: 'piper_voice', settings: (dir) => ({ voice_engine: 'piper', piper_voice: makeFifo(dir, 'voice.onnx') }) },
  { key: 'piper_voice', settings: () => ({ voice_engine: 'piper', piper_voice: DEV_ZERO }) },
  { key: 'espeak_data_dir', needsVoice: true, settings: () => ({ voice_engine: 'piper', piper_voice: dummyVoice!, espeak_data_dir: DEV_ZERO }) },
  { key: 'log_file', settings: (dir) => ({ log_file: makeFifo(dir, 'log.fifo') }) },
  { key: 'db_path', settings: (dir) => ({ db_path: makeFifo(dir, 'calls.fifo') }) },
  { key: 'db_path', settings: () => ({ db_path: DEV_ZERO }) },
  { key: 'cache_dir', settings: () => ({ cache_dir: DEV_ZERO }) },
];

test('a FIFO or a device at each path key: refused before ANSWER naming file:line and key, no blocking open, exit 0', async (t) => {
  const results: string[] = [];
  for (const entry of PATH_CASES) {
    if (entry.needsVoice === true && (dummyVoice === undefined || !existsSync(dummyVoice))) {
      t.diagnostic(`skipped ${entry.key}: piper-dummy test voice not found`);
      continue;
    }
    const probe = await startFaultCall({ callerAudio: silentCaller, ollamaHost: 'http://127.0.0.1:9', timeScale: 1, killAfterMs: 20_000, args: ['nosuch'] });
    await probe.finished;
    const settings = entry.settings(probe.dir);
    const base = readFileSync(join(probe.dir, 'voicebot.conf'), 'utf8').split('\n').filter((line) => !Object.keys(settings).some((key) => line.startsWith(`${key} =`)));
    const configPath = join(probe.dir, 'paths.conf');
    writeFileSync(configPath, [...base, ...Object.entries(settings).map(([key, value]) => `${key} = ${value}`), ''].join('\n'));
    const started = performance.now();
    const result = await refusedCall({ configPath });
    const context = `${entry.key} = ${JSON.stringify(settings)}\n${describeRun(result)}`.slice(0, 5000);
    assertRefused(result, new RegExp(`paths\\.conf:\\d+: key '${entry.key}'`), context);
    results.push(`${entry.key}=${settings[entry.key] ?? '?'}: ${Math.round(performance.now() - started)} ms`);
  }
  t.diagnostic(results.join('; '));
});

test('VOICEBOT_CONFIG that is /dev/zero or a FIFO: refused at once (no endless read, no blocking open)', async () => {
  const probe = await startFaultCall({ callerAudio: silentCaller, ollamaHost: 'http://127.0.0.1:9', timeScale: 1, killAfterMs: 20_000, args: ['nosuch'] });
  await probe.finished;
  for (const configPath of [DEV_ZERO, makeFifo(probe.dir, 'conf.fifo')]) {
    const result = await refusedCall({ configPath, env: { VOICEBOT_LOG_FILE: join(probe.dir, 'entry.log') } });
    const context = describeRun(result).slice(0, 5000);
    assertRefused(result, /not a regular file/, context);
  }
});

test('vosk_load_before_answer = yes: a damaged Vosk model (garbage final.mdl, half a graph) is refused before ANSWER, not apologised for after it', async (t) => {
  const measured: string[] = [];
  for (const damage of ['garbage final.mdl', 'half a graph']) {
    const probe = await startFaultCall({ callerAudio: silentCaller, ollamaHost: 'http://127.0.0.1:9', timeScale: 1, killAfterMs: 20_000, args: ['nosuch'] });
    await probe.finished;
    const model = join(probe.dir, 'tiny-vosk-model');
    if (damage === 'garbage final.mdl') writeFileSync(join(model, 'am', 'final.mdl'), Buffer.alloc(4096, 0x5a));
    else {
      const graph = readFileSync(join(model, 'graph', 'HCLG.fst'));
      writeFileSync(join(model, 'graph', 'HCLG.fst'), graph.subarray(0, graph.length >> 1));
    }
    const conf = join(probe.dir, 'voicebot.conf');
    writeFileSync(conf, readFileSync(conf, 'utf8').replace('[general]\n', '[general]\nvosk_load_before_answer = yes\n'));
    const result = await refusedCall({ configPath: conf });
    const context = `${damage}\n${describeRun(result)}`.slice(0, 5000);
    assertRefused(result, /STT_MODEL_CORRUPT|libvosk could not load/, context);
    const db = rawDb(join(probe.dir, 'calls.db'), { readonly: true });
    const events = db.prepare("SELECT e.detail FROM events e JOIN calls c ON c.id = e.call_id WHERE c.end_reason = 'setup_error'").pluck().all() as string[];
    db.close();
    assert.ok(events.some((detail) => /libvosk could not load/.test(detail)), `the call log has the refusal and its reason
${context}`);
    measured.push(`${damage}: refused ${Math.round(result.exitAtMs)} ms after start`);
  }
  t.diagnostic(measured.join('; '));
});
