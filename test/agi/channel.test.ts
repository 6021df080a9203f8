import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Agi } from '../../src/agi/agi.ts';
import { AgiChannel } from '../../src/agi/channel.ts';
import { AgiError, AgiHangupError } from '../../src/agi/errors.ts';

const ENV = 'agi_request: voicebot\nagi_channel: SIP/100-0001\nagi_uniqueid: 1.0\nagi_enhanced: 1.0\nagi_accountcode: \nagi_arg_1: sales\n\n';

/** The channel on in-memory streams; the test plays Asterisk line by line. */
async function open(): Promise<{ agi: Agi; channel: AgiChannel; asterisk: PassThrough; written: string[]; nextWrite: () => Promise<string> }> {
  const asterisk = new PassThrough();
  const output = new PassThrough();
  const written: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  output.setEncoding('utf8');
  output.on('data', (text: string) => {
    for (const line of text.split('\n').slice(0, -1)) {
      written.push(line);
      waiters.shift()?.(line);
    }
  });
  let seen = 0;
  const nextWrite = () => new Promise<string>((resolve) => {
    if (written.length > seen) resolve(written[seen++] ?? '');
    else waiters.push((line) => { seen += 1; resolve(line); });
  });
  const opening = AgiChannel.open({ input: asterisk, output, deadReplyTimeoutMs: 200 });
  asterisk.write(ENV);
  const { channel, env } = await opening;
  assert.deepEqual(env.args, ['sales']);
  return { agi: new Agi(channel), channel, asterisk, written, nextWrite };
}

test('one command per write: the second waits in the FIFO until the first is answered', async () => {
  const { agi, asterisk, written, nextWrite } = await open();
  const first = agi.getVariable('CHANNEL');
  const second = agi.setVariable('X', 'a "b"');
  assert.equal(await nextWrite(), 'GET VARIABLE CHANNEL');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(written.length, 1, 'second command not written yet');
  asterisk.write('200 result=1 (SIP/100-0001)\n');
  assert.equal(await first, 'SIP/100-0001');
  assert.equal(await nextWrite(), 'SET VARIABLE X "a \\"b\\""');
  asterisk.write('200 result=1\n');
  await second;
});

test('barge-in: an interrupted STREAM FILE gets no reply; the interrupter reply is recognised', async () => {
  const { agi, asterisk, nextWrite } = await open();
  const controller = new AbortController();
  const playing = agi.streamFile('/tmp/hello', { escapeDigits: '#', signal: controller.signal });
  assert.equal(await nextWrite(), 'STREAM FILE /tmp/hello "#"');
  controller.abort();
  const interrupter = await nextWrite();
  assert.match(interrupter, /^GET FULL VARIABLE voicebot-interrupt-\d+$/);
  asterisk.write(`200 result=1 (${interrupter.split(' ')[3] ?? ''})\n`);
  assert.deepEqual(await playing, { result: 0, digit: undefined, endposSamples: undefined, interrupted: true });
  const after = agi.noop();
  assert.equal(await nextWrite(), 'NOOP');
  asterisk.write('200 result=0\n');
  await after;
});

test('barge-in race: playback ended just before the interrupt, its endpos reply comes first', async () => {
  const { agi, asterisk, nextWrite } = await open();
  const controller = new AbortController();
  const playing = agi.streamFile('/tmp/hello', { signal: controller.signal });
  await nextWrite();
  controller.abort();
  const interrupter = await nextWrite();
  asterisk.write(`200 result=0 endpos=23185\n200 result=1 (${interrupter.split(' ')[3] ?? ''})\n`);
  assert.deepEqual(await playing, { result: 0, digit: undefined, endposSamples: 23185, interrupted: false });
  const next = agi.channelStatus();
  assert.equal(await nextWrite(), 'CHANNEL STATUS', 'the interrupter reply was consumed, the FIFO is in step');
  asterisk.write('200 result=6\n');
  assert.equal(await next, 6);
});

test('WAIT FOR DIGIT interrupted answers result=1; a digit comes back as its character', async () => {
  const { agi, asterisk, nextWrite } = await open();
  const controller = new AbortController();
  const waiting = agi.waitForDigit(5000, { signal: controller.signal });
  assert.equal(await nextWrite(), 'WAIT FOR DIGIT 5000');
  controller.abort();
  const interrupter = await nextWrite();
  asterisk.write(`200 result=1\n200 result=1 (${interrupter.split(' ')[3] ?? ''})\n`);
  assert.deepEqual(await waiting, { digit: undefined, interrupted: true });
  const digit = agi.waitForDigit(3000);
  await nextWrite();
  asterisk.write('200 result=53\n');
  assert.deepEqual(await digit, { digit: '5', interrupted: false });
});

test('hangup: result=-1 marks it; afterwards only dead-capable commands are written', async () => {
  const { agi, channel, asterisk, written, nextWrite } = await open();
  const waiting = agi.waitForDigit(10000);
  await nextWrite();
  asterisk.write('200 result=-1\n');
  await assert.rejects(waiting, (error: unknown) => error instanceof AgiHangupError && error.hangupCause === 'result-minus-one');
  assert.equal(channel.hungUp, true);
  const count = written.length;
  await assert.rejects(agi.streamFile('x'), AgiHangupError);
  await assert.rejects(agi.answer(), AgiHangupError);
  assert.equal(written.length, count, 'nothing written for commands a dead channel refuses');
  const verbose = agi.verbose('bye');
  assert.equal(await nextWrite(), 'VERBOSE "bye" 1');
  asterisk.write('200 result=1\n');
  await verbose;
});

test('511, 510 and 520 become typed errors; STREAM FILE result=-1 on a live channel is a missing file', async () => {
  const { agi, asterisk, nextWrite } = await open();
  const missing = agi.streamFile('does-not-exist');
  await nextWrite();
  asterisk.write('200 result=-1 endpos=0\n');
  assert.equal(await nextWrite(), 'CHANNEL STATUS');
  asterisk.write('200 result=6\n');
  await assert.rejects(missing, (error: unknown) => error instanceof AgiError && error.code === 'AGI_PLAYBACK_FAILED');
  const bad = agi.raw('FOO BAR');
  await nextWrite();
  asterisk.write('510 Invalid or unknown command\n');
  await assert.rejects(bad, (error: unknown) => error instanceof AgiError && error.code === 'AGI_INVALID_COMMAND');
  const usage = agi.raw('WAIT FOR DIGIT');
  await nextWrite();
  asterisk.write('520-Invalid command syntax.  Proper usage follows:\nWaits up to ...\n520 End of proper usage.\n');
  await assert.rejects(usage, (error: unknown) => error instanceof AgiError && error.code === 'AGI_USAGE' && error.replyLines.length === 3);
  const dead = agi.answer();
  await nextWrite();
  asterisk.write('511 Command Not Permitted on a dead channel or intercept routine\n');
  await assert.rejects(dead, (error: unknown) => error instanceof AgiHangupError && error.hangupCause === 'dead-channel');
});

test('a malformed reply or a 1 MB line is a fatal typed protocol error, and stdin EOF a hangup', async () => {
  const first = await open();
  const pending = first.agi.noop();
  await first.nextWrite();
  first.asterisk.write('HANGUP\n');
  await assert.rejects(pending, (error: unknown) => error instanceof AgiError && error.code === 'AGI_MALFORMED_REPLY');
  await assert.rejects(first.agi.noop(), (error: unknown) => error instanceof AgiError && error.code === 'AGI_MALFORMED_REPLY');

  const second = await open();
  const waiting = second.agi.waitForDigit(1000);
  await second.nextWrite();
  second.asterisk.write(Buffer.alloc(1024 * 1024, 0x32));
  await assert.rejects(waiting, (error: unknown) => error instanceof AgiError && error.code === 'AGI_LINE_TOO_LONG');

  const third = await open();
  const listening = third.agi.waitForDigit(1000);
  await third.nextWrite();
  third.asterisk.end();
  await assert.rejects(listening, (error: unknown) => error instanceof AgiHangupError && error.hangupCause === 'stdin-eof');
  assert.equal(third.channel.writable, false);
});

test('env block without the empty line: AGI_ENV_INCOMPLETE at EOF, AGI_ENV_TIMEOUT when stdin stays open', async () => {
  const input = new PassThrough();
  const opening = AgiChannel.open({ input, output: new PassThrough() });
  input.end('agi_request: voicebot\nagi_channel: SIP/1\n');
  await assert.rejects(opening, (error: unknown) => error instanceof AgiError && error.code === 'AGI_ENV_INCOMPLETE');
  const open2 = new PassThrough();
  const waiting = AgiChannel.open({ input: open2, output: new PassThrough(), envTimeoutMs: 100 });
  open2.write('agi_request: voicebot\n');
  await assert.rejects(waiting, (error: unknown) => error instanceof AgiError && error.code === 'AGI_ENV_TIMEOUT');
  const garbage = new PassThrough();
  const bad = AgiChannel.open({ input: garbage, output: new PassThrough() });
  garbage.write('GET / HTTP/1.1\n\n');
  await assert.rejects(bad, (error: unknown) => error instanceof AgiError && error.code === 'AGI_ENV_MALFORMED');
});

test('an interrupter Asterisk did not see (same read as its command) is nudged, and the FIFO recovers', async () => {
  const { agi, asterisk, nextWrite } = await open();
  const controller = new AbortController();
  const waiting = agi.waitForDigit(9000, { signal: controller.signal });
  assert.equal(await nextWrite(), 'WAIT FOR DIGIT 9000');
  controller.abort();
  const interrupter = await nextWrite();
  assert.match(interrupter, /^GET FULL VARIABLE voicebot-interrupt-\d+$/);
  // Asterisk read both lines at once: WAIT FOR DIGIT goes on, the interrupter sits in its buffer.
  const nudge = await nextWrite();
  assert.match(nudge, /^GET FULL VARIABLE voicebot-nudge-\d+$/, 'one more line makes Asterisk read on');
  // The new bytes wake it: WAIT FOR DIGIT returns 1, then both marker lines are answered.
  asterisk.write(`200 result=1\n200 result=1 (${interrupter.split(' ')[3] ?? ''})\n200 result=1 (${nudge.split(' ')[3] ?? ''})\n`);
  assert.deepEqual(await waiting, { digit: undefined, interrupted: true });
  const after = agi.getVariable('CHANNEL');
  assert.equal(await nextWrite(), 'GET VARIABLE CHANNEL');
  asterisk.write('200 result=1 (SIP/100-0001)\n');
  assert.equal(await after, 'SIP/100-0001', 'later replies still match their commands');
});
