import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startFakeAri } from '../../../src/simulate/ari/fake-ari.ts';
import { Replay, type ReplayConfig } from './transcript-replay.ts';
import { ariTestdata, readRows } from './transcript-compare.ts';

const data = ariTestdata();

async function replay(t: { skip: (reason: string) => void }, scenario: string, config: ReplayConfig = {}): Promise<void> {
  if ('skip' in data) {
    t.skip(data.skip);
    return;
  }
  const fake = await startFakeAri({ username: 'voicebot', password: 'secret', mediaConnectTimeoutMs: 1500, shutdownSocketEndMs: 300 });
  try {
    const run = new Replay(fake, readRows(data.dir, scenario), config);
    await run.run();
    assert.deepEqual(run.mismatches, []);
    assert.ok(run.compared.replies > 0 && run.compared.events > 0, `compared ${JSON.stringify(run.compared)}`);
  } finally {
    await fake.close();
  }
}

describe('fake ARI replays the Asterisk 22.10.1 transcripts', { concurrency: 1 }, () => {
  it('ari-lifecycle: Stasis, answer, DTMF, variables, continue, second Stasis, DELETE; caller hangup', (t) =>
    replay(t, 'ari-lifecycle', { variables: { lifecycle: { CALLER_SEGMENT: 'gold' } } }));

  it('external-media-websocket-slin16-server: media script, flow control, marks, buffering, HANGUP', (t) =>
    replay(t, 'external-media-websocket-slin16-server'));

  it('external-media-websocket-ulaw-server', (t) => replay(t, 'external-media-websocket-ulaw-server'));

  it('failures-rest-errors: 401/404/405/409/422, externalMedia 400/500, /media refusals, never-connected media', (t) =>
    replay(t, 'failures-rest-errors', { maxGapMs: 2000 }));

  it('failures-app-ws-disconnect: events lost while away, channels stay, reconnect resumes', (t) =>
    replay(t, 'failures-app-ws-disconnect'));

  it('failures-caller-hangup-websocket: the media channel stays until DELETE', (t) =>
    replay(t, 'failures-caller-hangup-websocket'));

  // Call 3 uses AudioSocket, which the fake does not simulate.
  it('failures-app-closes-media: close 1000 answered with 1001, TCP drop is cause 38', (t) =>
    replay(t, 'failures-app-closes-media', { stopAtNote: /^=== call 3/ }));

  // The second call of this run uses AudioSocket external media (not simulated): its ids are left out.
  it('failures-core-stop-now: soft hangup 4 everywhere, media close 1000, events socket just ends', (t) =>
    replay(t, 'failures-core-stop-now', { skipIds: ['1796035120.4', '1796035120.5', '9c4a027c-e34f-4831-9a98-e2b330f36010', 'Local/bot@voicebot-00000001'] }));
});
