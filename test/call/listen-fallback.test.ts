import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Agi } from '../../src/agi/agi.ts';
import { AgiChannel } from '../../src/agi/channel.ts';
import { agiCallChannel } from '../../src/call/adapters/channel.ts';

const ENV = 'agi_request: voicebot\nagi_channel: SIP/100-0001\nagi_uniqueid: 1.0\nagi_enhanced: 1.0\n\n';

/** The call channel on in-memory streams; `reply` plays Asterisk for each command line written. */
async function callChannel(listenSound: () => string, reply: (line: string) => string | undefined) {
  const asterisk = new PassThrough();
  const output = new PassThrough();
  const written: string[] = [];
  output.setEncoding('utf8');
  output.on('data', (text: string) => {
    for (const line of text.split('\n').slice(0, -1)) {
      written.push(line);
      const answer = reply(line);
      if (answer !== undefined) asterisk.write(answer);
    }
  });
  const opening = AgiChannel.open({ input: asterisk, output, deadReplyTimeoutMs: 200 });
  asterisk.write(ENV);
  const { channel } = await opening;
  return { channel: agiCallChannel(new Agi(channel), channel.hangupSignal, listenSound), written };
}

test('waiting for a key plays the listening sound with every key as escape digit; a key comes back as itself', async () => {
  const { channel, written } = await callChannel(() => '/cache/listen/silence', () => '200 result=53 endpos=800\n');
  assert.equal(await channel.waitForKey({}), '5');
  assert.deepEqual(written, ['STREAM FILE /cache/listen/silence "0123456789*#"']);
});

test('when Asterisk cannot play the listening sound, keys stay live through WAIT FOR DIGIT', async () => {
  const { channel, written } = await callChannel(() => '/cache/listen/silence', (line) => {
    if (line.startsWith('STREAM FILE')) return '200 result=-1 endpos=0\n';
    if (line === 'CHANNEL STATUS') return '200 result=6\n';
    if (line.startsWith('WAIT FOR DIGIT')) return '200 result=55\n';
    return undefined;
  });
  assert.equal(await channel.waitForKey({}), '7');
  assert.equal(await channel.waitForKey({}), '7');
  assert.deepEqual(written, ['STREAM FILE /cache/listen/silence "0123456789*#"', 'CHANNEL STATUS', 'WAIT FOR DIGIT 30000', 'WAIT FOR DIGIT 30000']);
});

test('when the listening sound cannot be written, keys stay live through WAIT FOR DIGIT', async () => {
  const { channel, written } = await callChannel(() => { throw new Error('EACCES'); }, () => '200 result=35\n');
  assert.equal(await channel.waitForKey({}), '#');
  assert.deepEqual(written, ['WAIT FOR DIGIT 30000']);
});
