import assert from 'node:assert/strict';
import { closeSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { AgiError } from '../../src/agi/errors.ts';
import { openAgiSession } from '../../src/agi/session.ts';
import { Fd3Error } from '../../src/audio/errors.ts';
import { Fd3Reader, type AudioFrame } from '../../src/audio/fd3-reader.ts';
import { makePipe } from '../../src/simulate/asterisk/pipes.ts';

/** A real kernel pipe (FIFO), as Asterisk gives fd 3; the reader gets the read end. */
async function pipeReader(format: 'slin' | 'slin16' | undefined): Promise<{ reader: Fd3Reader; writeFd: number }> {
  const pipe = await makePipe('to-child');
  return { reader: new Fd3Reader(new Socket({ fd: pipe.childFd, readable: true, writable: false }), { format }), writeFd: pipe.parentFd };
}

function ramp(samples: number, start = 0): Buffer {
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) out.writeInt16LE((start + i) % 30000, i * 2);
  return out;
}

async function collect(reader: Fd3Reader): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  for await (const frame of reader) frames.push(frame);
  return frames;
}

test('fd 3 as a byte stream: odd read sizes become exact 20 ms frames; EOF ends the stream and flags hangup', async () => {
  const { reader, writeFd } = await pipeReader('slin');
  const bytes = ramp(8000);
  const sizes = [1, 319, 320, 641, 42, 276, 3];
  let offset = 0;
  for (let i = 0; offset < bytes.length; i += 1) {
    const size = sizes[i % sizes.length] ?? 320;
    offset += writeSync(writeFd, bytes.subarray(offset, offset + size));
  }
  closeSync(writeFd);
  const frames = await collect(reader);
  assert.equal(frames.length, 50);
  assert.ok(frames.every((f) => f.samples.length === 160 && f.sampleRateHz === 8000));
  assert.equal(frames[49]?.timestampMs, 980);
  assert.equal(frames[1]?.samples[0], 160, 'samples in order, nothing lost across reads');
  assert.equal(reader.eofSignal.aborted, true);
  assert.equal(reader.stats.bytes, 16000);
});

test('slin16 frames are 640 bytes; bytes that arrive before the format is known are held, not mis-framed', async () => {
  const { reader, writeFd } = await pipeReader(undefined);
  writeSync(writeFd, ramp(3200));
  await new Promise((resolve) => setTimeout(resolve, 30));
  reader.setFormat('slin16');
  closeSync(writeFd);
  const frames = await collect(reader);
  assert.equal(frames.length, 10);
  assert.ok(frames.every((f) => f.samples.length === 320 && f.sampleRateHz === 16000));
});

test('overrun guard: a read carrying seconds of audio (we fell behind) is counted', async () => {
  const { reader, writeFd } = await pipeReader('slin');
  writeSync(writeFd, ramp(8000 * 3));
  closeSync(writeFd);
  const frames = await collect(reader);
  assert.equal(frames.length, 150);
  assert.ok(reader.stats.overruns >= 1, `overruns: ${reader.stats.overruns}`);
});

test('a consumer that stops reading does not make memory grow: old frames are dropped and counted', async () => {
  const pipe = await makePipe('to-child');
  const reader = new Fd3Reader(new Socket({ fd: pipe.childFd, readable: true, writable: false }), { format: 'slin', maxQueuedMs: 200 });
  for (let i = 0; i < 50; i += 1) writeSync(pipe.parentFd, ramp(160, i * 160));
  closeSync(pipe.parentFd);
  await new Promise((resolve) => reader.eofSignal.addEventListener('abort', resolve));
  const frames = await collect(reader);
  assert.equal(frames.length, 10);
  assert.equal(reader.stats.droppedFrames, 40);
  assert.equal(frames[9]?.samples[0], 49 * 160, 'the newest audio is kept');
});

test('fd 3 closed at start is a typed FD3_UNAVAILABLE error', () => {
  assert.throws(() => Fd3Reader.open(1_000_000), (error: unknown) => error instanceof Fd3Error && error.code === 'FD3_UNAVAILABLE');
});

test('the AGI session reports fd 3 closed at start as an AgiError with the same code and message', async () => {
  const input = new PassThrough();
  input.end('agi_request: voicebot\nagi_channel: SIP/100-0001\nagi_uniqueid: 1.0\nagi_enhanced: 1.0\n\n');
  const session = await openAgiSession({ input, output: new PassThrough(), audio: 1_000_000, audioFormat: 'slin' });
  try {
    assert.equal(session.audio, undefined);
    assert.ok(session.audioError instanceof AgiError);
    assert.equal(session.audioError.code, 'FD3_UNAVAILABLE');
    assert.match(session.audioError.message, /^fd 1000000 is not open: no caller audio/);
  } finally {
    session.close();
  }
});
