import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { benchCallEnv, benchPaths, writeBenchConfig } from '../../src/capacity/bench-config.ts';
import type { CallFigures } from '../../src/capacity/call-figures.ts';
import { overrunsByPhase, replyLatencies } from '../../src/capacity/call-figures.ts';
import { benchLevels, judgeLevel, recommend } from '../../src/capacity/figures.ts';
import { buildConfig } from '../../src/config/load.ts';
import { parseIni } from '../../src/config/ini.ts';

const dir = mkdtempSync(join(tmpdir(), 'voicebot-bench-figures-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function call(overrides: Partial<CallFigures> = {}): CallFigures {
  return {
    latenciesMs: [800, 900, 1000], served: true, failures: [], fd3DroppedMs: 0, maxOverrunMs: 0, maxStartupOverrunMs: 0,
    readerDroppedFrames: 0, cpuMs: 2500, lifetimeMs: 25_000, busy: false, ...overrides,
  };
}
const extra = { wallMs: 30_000, rss: undefined };

test('levels: 1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64; --max-calls is the last; --quick is 1, 2, 4', () => {
  assert.deepEqual(benchLevels(64, false), [1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64]);
  assert.deepEqual(benchLevels(10, false), [1, 2, 4, 6, 8, 10]);
  assert.deepEqual(benchLevels(5, false), [1, 2, 4, 5]);
  assert.deepEqual(benchLevels(1, false), [1]);
  assert.deepEqual(benchLevels(64, true), [1, 2, 4]);
  assert.deepEqual(benchLevels(2, true), [1, 2]);
});

test('a level fails on p95 latency over 1.2x N=1, fd 3 lag over 200 ms after start-up, a dropped frame, a lost reply or a failed call', () => {
  const base = judgeLevel(1, [call()], undefined, extra);
  assert.equal(base.passed, true);
  assert.equal(base.latencyP95Ms, 990);
  assert.equal(base.cpuPerCallPct, 10);
  assert.equal(judgeLevel(2, [call(), call({ latenciesMs: [900, 1000, 1180] })], 990, extra).passed, true, '1180 <= 1.2 x 990');
  const slow = judgeLevel(2, [call(), call({ latenciesMs: [900, 1000, 1400] })], 990, extra);
  assert.equal(slow.passed, false);
  assert.match(slow.reasons.join(), /p95 turn latency 1\d{3} ms is 1\.\d\dx N=1's 990 ms/);
  assert.match(judgeLevel(2, [call(), call({ maxOverrunMs: 240 })], 990, extra).reasons.join(), /fd 3 fell behind by 240 ms/);
  assert.equal(judgeLevel(2, [call(), call({ maxStartupOverrunMs: 900 })], 990, extra).passed, true, 'start-up backlog is shown, not judged');
  assert.match(judgeLevel(2, [call(), call({ fd3DroppedMs: 20 })], 990, extra).reasons.join(), /pipe full/);
  assert.match(judgeLevel(2, [call(), call({ readerDroppedFrames: 3 })], 990, extra).reasons.join(), /dropped 3 frames/);
  assert.match(judgeLevel(2, [call(), call({ latenciesMs: [800, null, 900] })], 990, extra).reasons.join(), /1 of 6 questions got no reply/);
  assert.match(judgeLevel(2, [call(), call({ served: false, failures: ['never answered'] })], 990, extra).reasons.join(), /1 of 2 calls not served \(never answered\)/);
});

test('the recommendation is the largest N before the first failing level', () => {
  const pass = (n: number) => judgeLevel(n, [call()], n === 1 ? undefined : 990, extra);
  const fail = (n: number) => judgeLevel(n, [call({ maxOverrunMs: 500 })], 990, extra);
  assert.equal(recommend([pass(1), pass(2), fail(4)]).maxConcurrentCalls, 2);
  assert.equal(recommend([pass(1), fail(2), pass(4)]).maxConcurrentCalls, 1, 'a later pass does not count (quick runs every level)');
  assert.equal(recommend([fail(1)]).maxConcurrentCalls, 0);
  assert.match(recommend([pass(1), pass(2)]).why, /raise --max-calls/);
});

test('overruns: a backlog that began before the models were loaded and the greeting played (+1 s) is start-up', () => {
  const log = [
    '2026-01-01T10:00:00.250Z WARN [AGI] fd 3 overrun: a read returned more audio bytes=4000 audioMs=250 overruns=1',
    '2026-01-01T10:00:00.300Z INFO [CALL] c1 answered sinceStartMs=280',
    '2026-01-01T10:00:01.200Z INFO [STT] c1 speech detector ready detector=silero+echo',
    '2026-01-01T10:00:01.700Z INFO [STT] c1 model loaded dir=/m ms=1200',
    '2026-01-01T10:00:01.800Z INFO [PLAY] c1 played file=/c/phrases/x ms=1500 of=1500',
    '2026-01-01T10:00:01.810Z WARN [AGI] fd 3 overrun: a read returned more audio bytes=20000 audioMs=1250 overruns=2',
    '2026-01-01T10:00:02.700Z WARN [AGI] fd 3 overrun: a read returned more audio bytes=4000 audioMs=240 overruns=3',
    '2026-01-01T10:00:09.000Z WARN [AGI] fd 3 overrun: a read returned more audio bytes=5000 audioMs=310 overruns=4',
    '2026-01-01T10:00:20.000Z INFO [CALL] c1 process done fd3Bytes=1 fd3Overruns=3 fd3Dropped=0 cpuMs=2000',
  ].join('\n');
  assert.deepEqual(overrunsByPhase(log), { startup: [250, 1250, 240], conversation: [310] }, 'a stall within 1 s of the last load is still start-up');
});

test('latency: end of each question -> the first reply sound after it, before the next question ends', () => {
  const commands = [
    { cmd: 'STREAM FILE /c/phrases/greeting ""', t_ms: 500 },
    { cmd: 'STREAM FILE /c/calls/x/tts-0001 ""', t_ms: 5900 },
    { cmd: 'STREAM FILE /c/calls/x/tts-0002 ""', t_ms: 8000 },
    { cmd: 'STREAM FILE /c/calls/x/tts-0003 ""', t_ms: 21_000 },
  ].map((record) => ({ ...record, reply: [], elapsed_ms: 0, interrupted: false, dead: false }));
  assert.deepEqual(replyLatencies({ commands }, [5000, 12_000, 20_000]), [900, null, 1000]);
});

test('the temp config keeps the profile\'s engines, moves every written path into the temp folder and drops tools and webhook', () => {
  const text = [
    '[general]', 'vosk_model_dir = /models/vosk', 'webhook_url = https://crm.example/hook', 'db_path = /var/lib/voicebot/calls.db',
    'max_concurrent_calls = 12', 'log_level = warn', '[tool:lookup]', 'url = https://crm.example/lookup', 'method = GET', 'description = look up',
    '[sales]', 'voice_engine = test-tone', 'greeting = Hi\\; sales here', 'tools = lookup', 'llm_temperature = 0.3', 'test_stt_rtf = 0.2', '',
  ].join('\n');
  const config = buildConfig('/etc/asterisk/voicebot.conf', true, parseIni(text, 'voicebot.conf'), {}).resolve('sales');
  const paths = benchPaths(join(dir, 'bench'));
  const written = readFileSync(writeBenchConfig(config, paths, { ollamaHost: 'http://127.0.0.1:1234' }), 'utf8');
  for (const line of ['vosk_model_dir = /models/vosk', 'voice_engine = test-tone', 'greeting = Hi\\; sales here', 'llm_temperature = 0.3', 'test_stt_rtf = 0.2',
    'ollama_host = http://127.0.0.1:1234', `db_path = ${paths.dbPath}`, `log_file = ${paths.logFile}`, `cache_dir = ${paths.cacheDir}`,
    'max_concurrent_calls = 0', 'log_level = info']) {
    assert.ok(written.split('\n').includes(line), `${line} in\n${written}`);
  }
  assert.doesNotMatch(written, /webhook|tools =|\/var\/lib|crm\.example/);
  const env = benchCallEnv({ PATH: '/bin', VOICEBOT_DB_PATH: '/live.db', OLLAMA_HOST: 'x', VOICEBOT_CONFIG: '/etc/x', VOICEBOT_NATIVE_DIR: '/n' });
  assert.deepEqual(env, { PATH: '/bin', VOICEBOT_NATIVE_DIR: '/n' });
});
