import { spawn } from 'node:child_process';
import { mainTs, nodeBin } from './paths.ts';

/** Runs `voicebot simulate` from source without blocking this process (tests run side by side). */
export async function runSimulateCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(nodeBin, [mainTs, 'simulate', ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { status, stdout, stderr };
}
