import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { asteriskProcessEnv } from '../../src/simulate/fake-asterisk.ts';
import { makePipe } from '../../src/simulate/asterisk/pipes.ts';
import { mainTs, nodeBin } from './paths.ts';

export interface ScriptedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Every command line the program wrote. */
  commands: string[];
  stderr: string;
  /** Bytes of an unterminated last line on stdout. */
  partial: string;
  /** Real ms from writing `start` to the exit. */
  elapsedMs: number;
}

/**
 * The real voicebot on real pipes (stdin, stdout and, when asked, fd 3), as Asterisk starts it,
 * with a scripted "Asterisk": `start` is written first (the env block, or anything hostile), and
 * `respond` answers each command line the program writes.
 */
export async function runScriptedAsterisk(options: {
  args?: string[];
  env: NodeJS.ProcessEnv;
  withFd3: boolean;
  start: string | Buffer;
  endStdin?: boolean;
  respond: (line: string, index: number) => string | Buffer | undefined;
  killAfterMs?: number;
}): Promise<ScriptedRun> {
  const stdin = await makePipe('to-child');
  const stdout = await makePipe('from-child');
  const fd3 = options.withFd3 ? await makePipe('to-child') : undefined;
  const stdio: (number | 'pipe')[] = [stdin.childFd, stdout.childFd, 'pipe'];
  if (fd3 !== undefined) stdio.push(fd3.childFd);
  const child = spawn(nodeBin, [mainTs, ...options.args ?? []], {
    stdio, env: { ...asteriskProcessEnv(), PATH: process.env['PATH'], ...options.env },
  });
  for (const fd of [stdin.childFd, stdout.childFd, fd3?.childFd]) if (fd !== undefined) closeSync(fd);
  const toChild = new Socket({ fd: stdin.parentFd, readable: false, writable: true });
  toChild.on('error', () => {});
  const fromChild = new Socket({ fd: stdout.parentFd, readable: true, writable: false });
  const commands: string[] = [];
  let partial = '';
  fromChild.setEncoding('utf8');
  fromChild.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      commands.push(line);
      const answer = options.respond(line, commands.length - 1);
      if (answer !== undefined) toChild.write(answer);
    }
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => { stderr += text; });
  const started = performance.now();
  toChild.write(options.start);
  if (options.endStdin === true) toChild.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 10_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  const elapsedMs = performance.now() - started;
  toChild.destroy();
  fromChild.destroy();
  if (fd3 !== undefined) closeSync(fd3.parentFd);
  return { code, signal, commands, stderr, partial, elapsedMs };
}
