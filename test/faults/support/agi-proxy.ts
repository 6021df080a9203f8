/**
 * A misbehaving Asterisk in front of the real one (the fake): started by the fake Asterisk as "the
 * program", it starts the real program on fresh kernel pipes and relays stdin, stdout and fd 3
 * between them, bending what Asterisk does on the way. Signals (SIGHUP) are forwarded; it exits
 * with the program's exit code. The program stays in this process group, so the fake's
 * leftover-process check covers it.
 *
 * Usage: node agi-proxy.ts <program> [args...]   with FAULT_PROXY='{"delayReplyMs":300}' etc.
 */
import { spawn } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { makePipe } from '../../../src/simulate/asterisk/pipes.ts';

/** What the proxy bends. Reply indexes count reply lines after the env block, from 0. */
export interface ProxySpec {
  /** Hold every reply this long (plus up to `jitterMs`) before the program sees it; order kept. */
  delayReplyMs?: number;
  jitterMs?: number;
  /** Replace reply number `atReply` (and every later one when `repeat`) with `line`. */
  garbage?: { atReply: number; line: string; repeat?: boolean };
  /**
   * A busy Asterisk: lines the program writes within this many ms of each other reach Asterisk in
   * one read, as when its stdio buffer takes them together (the second then waits for more bytes).
   */
  coalesceCommandsMs?: number;
  /** Close the program's fd 3 this long after start (real ms); stdin stays open. */
  closeFd3AfterMs?: number;
  /**
   * An Asterisk that stops answering: from the first command starting with `command` on, no
   * reply reaches the program. `usageBlock`: that command's reply is the first line of a `520-`
   * usage block that never ends.
   */
  muteFrom?: { command: string; usageBlock?: boolean };
  /** Lose replies to commands starting with `command` whose reply matches `match` (`count` times, default 1). */
  loseReply?: { command: string; match: string; count?: number };
}

const spec = JSON.parse(process.env['FAULT_PROXY'] ?? '{}') as ProxySpec;
let child: ReturnType<typeof spawn> | undefined;
let hupPending = false;
process.on('SIGHUP', () => {
  if (child?.pid === undefined) hupPending = true;
  else child.kill('SIGHUP');
});
process.on('SIGPIPE', () => {});

const [file, ...args] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('agi-proxy: no program given\n');
  process.exit(2);
}
const [stdinPipe, stdoutPipe, fd3Pipe] = await Promise.all([makePipe('to-child'), makePipe('from-child'), makePipe('to-child')]);
const env = { ...process.env };
delete env['FAULT_PROXY'];
child = spawn(file, args, { stdio: [stdinPipe.childFd, stdoutPipe.childFd, 'inherit', fd3Pipe.childFd], env });
for (const fd of [stdinPipe.childFd, stdoutPipe.childFd, fd3Pipe.childFd]) closeSync(fd);
if (hupPending) child.kill('SIGHUP');
child.on('exit', (code, signal) => {
  // The exit code tells the test how the program ended: 128 + n for a signal, as a shell reports it.
  const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };
  process.exit(code ?? 128 + (signalNumbers[signal ?? ''] ?? 0));
});

const toChild = new Socket({ fd: stdinPipe.parentFd, readable: false, writable: true });
toChild.on('error', () => {});
const fromChild = new Socket({ fd: stdoutPipe.parentFd, readable: true, writable: false });
fromChild.on('error', () => {});

// Program -> Asterisk: one write per line, as the program wrote them.
let outPartial = '';
fromChild.setEncoding('utf8');
fromChild.on('data', (text: string) => {
  const lines = (outPartial + text).split('\n');
  outPartial = lines.pop() ?? '';
  for (const line of lines) {
    written.push(line);
    if (spec.muteFrom !== undefined && line.toUpperCase().startsWith(spec.muteFrom.command)) muted = true;
    if (spec.coalesceCommandsMs === undefined) toAsterisk(`${line}\n`);
    else {
      held += `${line}\n`;
      heldTimer ??= setTimeout(() => { heldTimer = undefined; toAsterisk(held); held = ''; }, spec.coalesceCommandsMs);
    }
  }
});
/** Commands written and not yet answered, oldest first (the reply FIFO as Asterisk keeps it). */
const written: string[] = [];
let muted = false;
let mutedAnnounced = false;
let lost = 0;
let held = '';
let heldTimer: NodeJS.Timeout | undefined;
function toAsterisk(text: string): void {
  try { writeSync(1, text); } catch { /* Asterisk is gone (EPIPE) */ }
}

// Asterisk -> program: the env block as is, then replies bent by the spec.
let envDone = false;
let inPartial = '';
let replyIndex = 0;
let lastDeliveryMs = 0;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  const lines = (inPartial + text).split('\n');
  inPartial = lines.pop() ?? '';
  for (const line of lines) {
    if (!envDone) {
      if (line === '') envDone = true;
      toChild.write(`${line}\n`);
      continue;
    }
    const command = line.startsWith('520-') ? written[0] : written.shift();
    if (muted) {
      if (!mutedAnnounced && spec.muteFrom?.usageBlock === true) deliver('520-Invalid command syntax.  Proper usage follows:');
      mutedAnnounced = true;
      continue;
    }
    if (lose(command, line)) continue;
    deliver(bend(line));
  }
});
process.stdin.on('end', () => setTimeout(() => toChild.end(), (spec.delayReplyMs ?? 0) + (spec.jitterMs ?? 0) + 5));
process.stdin.on('error', () => {});

/** Whether the reply `line` to `command` is one to lose (it was then not delivered). */
function lose(command: string | undefined, line: string): boolean {
  const rule = spec.loseReply;
  if (rule === undefined || command === undefined || lost >= (rule.count ?? 1)) return false;
  if (!command.toUpperCase().startsWith(rule.command) || !new RegExp(rule.match).test(line)) return false;
  lost += 1;
  return true;
}

function bend(line: string): string {
  const index = replyIndex++;
  const garbage = spec.garbage;
  if (garbage !== undefined && (index === garbage.atReply || (garbage.repeat === true && index > garbage.atReply))) return garbage.line;
  return line;
}

function deliver(line: string): void {
  const delay = (spec.delayReplyMs ?? 0) + Math.random() * (spec.jitterMs ?? 0);
  const now = performance.now();
  const at = Math.max(now + delay, lastDeliveryMs);
  lastDeliveryMs = at;
  if (at <= now) toChild.write(`${line}\n`);
  else setTimeout(() => { if (!toChild.destroyed) toChild.write(`${line}\n`); }, at - now);
}

// fd 3: relayed frame by frame; a full pipe drops audio as Asterisk does.
let fd3Open = true;
const audioIn = new Socket({ fd: 3, readable: true, writable: false });
audioIn.on('error', () => {});
audioIn.on('data', (chunk: Buffer) => {
  if (!fd3Open) return;
  try { writeSync(fd3Pipe.parentFd, chunk); } catch { /* EAGAIN: dropped, or closed */ }
});
const closeFd3 = () => {
  if (!fd3Open) return;
  fd3Open = false;
  try { closeSync(fd3Pipe.parentFd); } catch { /* closed */ }
};
audioIn.on('end', closeFd3);
audioIn.on('close', closeFd3);
if (spec.closeFd3AfterMs !== undefined) setTimeout(closeFd3, spec.closeFd3AfterMs);
