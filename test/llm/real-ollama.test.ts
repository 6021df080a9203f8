import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkOllama } from '../../src/llm/health.ts';
import { conversation, drain, testSettings } from './helpers.ts';

// VOICEBOT_TEST_OLLAMA="http://127.0.0.1:11434 llama3.2:1b" runs these against a real Ollama.
const [host, model] = (process.env['VOICEBOT_TEST_OLLAMA'] ?? '').trim().split(/\s+/);
const skip = host === undefined || host === '' ? 'set VOICEBOT_TEST_OLLAMA="<host> <model>" to run against a real Ollama' : false;
if (skip !== false) process.stderr.write(`real-ollama tests skipped: ${skip}\n`);

test('real Ollama: health check passes and one turn gives a short speakable reply', { skip }, async () => {
  const realModel = model ?? 'llama3.2:3b';
  const health = await checkOllama(host ?? '', realModel, { timeoutMs: 5000 });
  assert.equal(health.ok, true, `${health.detail} (${health.fix})`);
  const settings = testSettings(host ?? '', { model: realModel, firstTokenTimeoutMs: 60000, totalTimeoutMs: 120000 });
  const { outcome } = await drain(conversation(settings).respond('Hello, what can you do for me?'));
  assert.ok(outcome.type === 'text' || outcome.type === 'end_call', JSON.stringify(outcome));
  assert.ok(outcome.text.length > 0);
  assert.doesNotMatch(outcome.text, /[*#`]|https?:\/\//);
});
