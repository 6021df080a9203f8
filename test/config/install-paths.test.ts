import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fetchModelsPath, INSTALLED_SHARE_DIR, sampleConfigPath } from '../../src/runtime/install-paths.ts';
import { repoRoot } from '../support/paths.ts';

test('advice names the checkout files when run from a checkout', () => {
  assert.equal(sampleConfigPath(repoRoot), join(repoRoot, 'etc-asterisk', 'voicebot.conf'));
  assert.equal(fetchModelsPath(repoRoot), join(repoRoot, 'scripts', 'fetch-models'));
});

test('on an installed box (no source tree beside the program) advice names the installed files', () => {
  const installed = mkdtempSync(join(tmpdir(), 'voicebot-installed-'));
  assert.equal(sampleConfigPath(installed), join(INSTALLED_SHARE_DIR, 'voicebot.conf.sample'));
  assert.equal(fetchModelsPath(installed), join(INSTALLED_SHARE_DIR, 'fetch-models'));
  assert.ok(!sampleConfigPath(installed).includes('etc-asterisk'));
});
