import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { makePipe } from './pipes.ts';

/** The standard AST_* variables (env/eagi-process-environment.txt). */
export function asteriskProcessEnv(): Record<string, string> {
  return {
    AST_AGI_DIR: '/var/lib/asterisk/agi-bin', AST_BUILD_DATE: '2026-11-23 21:12:46 UTC', AST_BUILD_HOST: 'vm',
    AST_BUILD_KERNEL: '6.18.44-fc-v669', AST_BUILD_MACHINE: 'x86_64', AST_BUILD_OS: 'Linux', AST_BUILD_USER: 'root',
    AST_CONFIG_DIR: '/etc/asterisk', AST_CONFIG_FILE: '/etc/asterisk/asterisk.conf', AST_DATA_DIR: '/var/lib/asterisk',
    AST_KEY_DIR: '/var/lib/asterisk/keys', AST_LOG_DIR: '/var/log/asterisk', AST_MODULE_DIR: '/usr/lib/asterisk/modules',
    AST_MONITOR_DIR: '/var/spool/asterisk/monitor', AST_RUN_DIR: '/var/run/asterisk', AST_SPOOL_DIR: '/var/spool/asterisk',
    AST_SYSTEMNAME: '', AST_VAR_DIR: '/var/lib/asterisk', AST_VERSION: '22.10.1',
  };
}

/** The channel facts that appear in the agi_ env block. */
export interface EnvBlockFacts {
  channelName: string;
  callerIdNum: string;
  callerIdName: string;
  context: string;
  extension: string;
  /** EAGI(voicebot,<args>): become agi_arg_N. */
  args: readonly string[];
}

/** The agi_ env block Asterisk 22 writes on stdin before the first command, in its order. */
export function agiEnvBlock(facts: EnvBlockFacts): [string, string][] {
  const env: [string, string][] = [
    ['agi_request', 'voicebot'], ['agi_channel', facts.channelName], ['agi_language', 'en'], ['agi_type', 'Local'],
    ['agi_uniqueid', `${Math.floor(Date.now() / 1000)}.0`], ['agi_version', '22.10.1'],
    ['agi_callerid', facts.callerIdNum], ['agi_calleridname', facts.callerIdName],
    ['agi_callingpres', '0'], ['agi_callingani2', '0'], ['agi_callington', '0'], ['agi_callingtns', '0'],
    ['agi_dnid', 'unknown'], ['agi_rdnis', 'unknown'], ['agi_context', facts.context],
    ['agi_extension', facts.extension], ['agi_priority', '2'], ['agi_enhanced', '1.0'],
    ['agi_accountcode', ''], ['agi_threadid', String(process.pid)],
  ];
  facts.args.forEach((arg, i) => env.push([`agi_arg_${i + 1}`, arg]));
  return env;
}

/** The pipes that are made before the program starts (stdin, stdout, fd 3). */
export interface EagiPipes {
  stdin: { childFd: number; parentFd: number };
  stdout: { childFd: number; parentFd: number };
  fd3: { childFd: number; parentFd: number };
}

/** Make the three real pipes an EAGI program gets. */
export async function makeEagiPipes(): Promise<EagiPipes> {
  const [stdin, stdout, fd3] = await Promise.all([makePipe('to-child'), makePipe('from-child'), makePipe('to-child')]);
  return { stdin, stdout, fd3 };
}

export interface SpawnEagiOptions {
  file: string;
  argv: readonly string[];
  cwd: string | undefined;
  env: NodeJS.ProcessEnv;
  /** What the program writes on stdout (AGI commands), as text. */
  onStdout(text: string): void;
  onStderr(text: string): void;
  event(kind: string, fields?: Record<string, unknown>): void;
}

/** A started EAGI program and the parent's ends of its pipes. */
export interface EagiProcess {
  child: ChildProcess;
  pid: number;
  stdin: Socket;
  stdout: Socket;
  /** The parent's end of fd 3 (non-blocking). */
  fd3: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Start the program in its own process group (so leftovers can be found and killed) with `pipes`
 * as stdin, stdout and fd 3, and stderr on a Node pipe. Listeners are attached before returning.
 */
export function spawnEagiProgram(pipes: EagiPipes, options: SpawnEagiOptions): EagiProcess {
  const child = spawn(options.file, [...options.argv], {
    cwd: options.cwd,
    env: options.env,
    stdio: [pipes.stdin.childFd, pipes.stdout.childFd, 'pipe', pipes.fd3.childFd],
    detached: true,
  });
  for (const fd of [pipes.stdin.childFd, pipes.stdout.childFd, pipes.fd3.childFd]) closeSync(fd);
  const stdin = new Socket({ fd: pipes.stdin.parentFd, readable: false, writable: true });
  stdin.on('error', (error) => options.event('stdin_write_error', { error: error.message }));
  const stdout = new Socket({ fd: pipes.stdout.parentFd, readable: true, writable: false });
  stdout.setEncoding('utf8');
  stdout.on('data', (text: string) => options.onStdout(text));
  stdout.on('error', () => {});
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => options.onStderr(text));
  const pid = child.pid ?? -1;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (error) => { options.event('spawn_error', { error: error.message }); resolve({ code: null, signal: null }); });
  });
  return { child, pid, stdin, stdout, fd3: pipes.fd3.parentFd, exited };
}
