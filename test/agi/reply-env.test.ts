import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertSingleLine, buildCommand, quoteArg } from '../../src/agi/command.ts';
import { EnvBlockCollector, parseAgiEnv } from '../../src/agi/env.ts';
import { AgiError } from '../../src/agi/errors.ts';
import { LineSplitter } from '../../src/agi/line-splitter.ts';
import { parseReply, ReplyFramer } from '../../src/agi/reply.ts';
import { parseArgs } from '../../src/simulate/asterisk/protocol.ts';
import { asteriskTestdata, readScenario, scenarioNames } from '../support/asterisk-testdata.ts';

const data = asteriskTestdata();

test('parseReply reads every reply shape Asterisk 22 sent', () => {
  const ok = parseReply(['200 result=1 (hello world 42-Up)']);
  assert.deepEqual([ok.kind, ok.kind === 'success' && ok.resultNumber, ok.kind === 'success' && ok.data], ['success', 1, 'hello world 42-Up']);
  const play = parseReply(['200 result=53 endpos=21920']);
  assert.ok(play.kind === 'success' && play.resultNumber === 53 && play.endpos === 21920 && play.data === undefined);
  const record = parseReply(['200 result=0 (timeout) endpos=32072']);
  assert.ok(record.kind === 'success' && record.data === 'timeout' && record.endpos === 32072);
  const getData = parseReply(['200 result= (timeout)']);
  assert.ok(getData.kind === 'success' && getData.result === '' && getData.resultNumber === undefined && getData.data === 'timeout');
  const quoted = parseReply(['200 result=1 (a "quoted" value)']);
  assert.ok(quoted.kind === 'success' && quoted.data === 'a "quoted" value');
  assert.equal(parseReply(['510 Invalid or unknown command']).kind, 'invalid-command');
  assert.equal(parseReply(['511 Command Not Permitted on a dead channel or intercept routine']).kind, 'dead-channel');
  const usage = parseReply(['520-Invalid command syntax.  Proper usage follows:', 'Sets a variable to the current channel.', '520 End of proper usage.']);
  assert.ok(usage.kind === 'usage' && usage.usage.length === 1);
  for (const bad of [[''], ['hello'], ['200'], ['200 resul=1'], ['520-a', 'b']]) assert.equal(parseReply(bad).kind, 'malformed', JSON.stringify(bad));
});

test('every reply in the captured transcripts frames and parses (none malformed)', { skip: 'skip' in data ? data.skip : false }, () => {
  if ('skip' in data) return;
  let count = 0;
  for (const name of scenarioNames(data.dir)) {
    for (const row of readScenario(data.dir, name)) {
      const reply = row.reply?.filter((line) => !line.startsWith('<'));
      if (reply === undefined || reply.length === 0) continue;
      const framer = new ReplyFramer();
      const framed = reply.map((line) => framer.push(line)).filter((x) => x !== undefined);
      assert.equal(framed.length, 1, `${name} ${row.cmd}: one reply`);
      assert.notEqual(parseReply(framed[0] ?? []).kind, 'malformed', `${name} ${row.cmd}`);
      count += 1;
    }
  }
  assert.ok(count > 100, `parsed ${count} replies`);
});

test('the exact EAGI env block parses: first ": " only, empty values, args, enhanced', { skip: 'skip' in data ? data.skip : false }, () => {
  if ('skip' in data) return;
  const bytes = readFileSync(join(data.dir, 'env', 'eagi-env-block.txt'));
  const lines = new LineSplitter().push(bytes);
  const collector = new EnvBlockCollector();
  let env;
  for (const line of lines) env = collector.push(line) ?? env;
  assert.ok(env !== undefined && collector.done);
  assert.equal(env.channel, 'Local/main@caller-00000000;1');
  assert.equal(env.accountCode, '');
  assert.equal(env.enhanced, true);
  assert.deepEqual(env.args, ['main']);
  assert.equal(Object.keys(env.raw).length, 21);
  const plain = readFileSync(join(data.dir, 'env', 'plain-agi-env-block-from-asterisk-log.txt'), 'utf8').split('\n').filter((l) => l !== '');
  assert.equal(parseAgiEnv(plain).enhanced, false);
  assert.equal(parseAgiEnv(['agi_request: x', 'agi_callerid: "A: B" <1>']).callerId, '"A: B" <1>');
});

test('quoting round-trips through res_agi argument parsing, and CR/LF is refused', () => {
  for (const value of ['', 'hello world', 'a "quoted" value', 'back\\slash', 'tab\there', '\\"', 'ünï ☎']) {
    assert.deepEqual(parseArgs(`SET VARIABLE X ${quoteArg(value)}`), ['SET', 'VARIABLE', 'X', value]);
  }
  assert.deepEqual(parseArgs('STREAM FILE prompt-short ""'), ['STREAM', 'FILE', 'prompt-short', '']);
  for (const bad of ['a\r', 'a\nHANGUP', '\r\n']) {
    assert.throws(() => buildCommand('VERBOSE', quoteArg(bad)), (error: unknown) => error instanceof AgiError && error.code === 'AGI_BAD_ARGUMENT');
    assert.throws(() => assertSingleLine(`NOOP ${bad}`), AgiError);
  }
});

/** Deterministic pseudo-random bytes (xorshift) so a failure reproduces. */
function* random(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    yield (x >>> 0) / 0x1_0000_0000;
  }
}

test('fuzz: parseReply, framing and env parsing never throw untyped errors on random or truncated input', () => {
  const rand = random(0x5eed);
  const next = () => rand.next().value as number;
  const seeds = ['200 result=1 (x) endpos=5', '510 Invalid or unknown command', '520-Invalid command syntax.', '520 End of proper usage.',
    'agi_request: voicebot', 'agi_arg_1: sales', 'agi_accountcode: ', '200 result= (timeout)', '511 Command Not Permitted'];
  const alphabet = '0123456789 ()=-:\r\n\t"\\agi_resultendpos\u0000\u00ff';
  const started = performance.now();
  for (let round = 0; round < 4000; round += 1) {
    let text = seeds[Math.floor(next() * seeds.length)] ?? '';
    text = text.slice(0, Math.floor(next() * (text.length + 1)));
    const extra = Math.floor(next() * 12);
    for (let i = 0; i < extra; i += 1) text += alphabet[Math.floor(next() * alphabet.length)];
    const lines = text.split('\n');
    const reply = parseReply(lines);
    assert.ok(['success', 'invalid-command', 'dead-channel', 'usage', 'malformed'].includes(reply.kind));
    const framer = new ReplyFramer(50);
    for (const line of lines) {
      const framed = framer.push(line);
      if (framed !== undefined) parseReply(framed);
    }
    const splitter = new LineSplitter(64);
    const collector = new EnvBlockCollector();
    try {
      const bytes = Buffer.from(text.repeat(1 + Math.floor(next() * 8)));
      for (let offset = 0; offset < bytes.length; offset += 1 + Math.floor(next() * 7)) {
        for (const line of splitter.push(bytes.subarray(offset, offset + 1 + Math.floor(next() * 7)))) {
          if (!collector.done) collector.push(line);
        }
      }
    } catch (error) {
      assert.ok(error instanceof AgiError, `untyped error: ${String(error)}`);
    }
  }
  assert.ok(performance.now() - started < 30_000, 'fuzzing finished');
});

test('a 1 MB line is refused with AGI_LINE_TOO_LONG, not buffered forever', () => {
  const splitter = new LineSplitter();
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  assert.throws(() => { for (let i = 0; i < 16; i += 1) splitter.push(chunk); },
    (error: unknown) => error instanceof AgiError && error.code === 'AGI_LINE_TOO_LONG');
  assert.deepEqual(new LineSplitter().push(Buffer.from('200 res')), []);
  const keep = new LineSplitter();
  keep.push(Buffer.from('200 res'));
  assert.deepEqual(keep.push(Buffer.from('ult=0\n511 x')), ['200 result=0']);
  assert.equal(keep.pendingText, '511 x');
});
