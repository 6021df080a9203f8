import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeWav } from '../audio/wav.ts';
import { VoicebotError } from '../errors.ts';
import { resampleLinear } from './asterisk/sounds.ts';
import { startFakeAri, type FakeAriCall, type FakeCallEnd } from './ari/fake-ari.ts';
import { readCallerWav, selfCommand } from './simulate.ts';

export interface AriSimulateOptions {
  callerWav: string;
  outDir: string;
  configPath: string;
  profile?: string | undefined;
  dtmf?: readonly { digits: string; atMs: number }[];
  hangupAfterAudioMs?: number;
  env?: NodeJS.ProcessEnv;
  onLine?: (text: string) => void;
}

export interface AriSimulateResult {
  callWav: string;
  transcript: string;
  commandsLog: string;
  logFile: string;
  end: FakeCallEnd;
  /** Epoch ms when the caller's audio began (the bot leg entered the bridge). */
  startedAtEpochMs: number;
  /** Problems that mean the call was not served (empty: served). */
  problems: string[];
}

/** How long serve may take to attach to the fake Asterisk. */
const ATTACH_TIMEOUT_MS = 30_000;

/**
 * One whole call over ARI: the built-in fake Asterisk (REST, events and chan_websocket media as
 * Asterisk 22 answers them) and this voicebot as `voicebot serve`, attached to it; the caller's WAV
 * plays from the moment the call is bridged with its media channel. Real time only.
 */
export async function runSimulatedAriCall(options: AriSimulateOptions): Promise<AriSimulateResult> {
  const callerPcm = readCallerWav(options.callerWav);
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const caller = resampleLinear(callerPcm.samples, callerPcm.sampleRateHz, 8000);
  const hangupAtMs = (caller.length / 8000) * 1000 + (options.hangupAfterAudioMs ?? 3000);
  const password = randomBytes(12).toString('hex');
  const fake = await startFakeAri({ username: 'voicebot', password });
  const logFile = join(outDir, 'voicebot.log');
  const program = await selfCommand();
  const child = spawn(program[0] ?? process.execPath, [...program.slice(1), 'serve'], {
    env: {
      ...(options.env ?? process.env), VOICEBOT_CONFIG: resolve(options.configPath), VOICEBOT_LOG_FILE: logFile, VOICEBOT_LOG_STDERR: 'no',
      VOICEBOT_ARI_URL: fake.url, VOICEBOT_ARI_USERNAME: 'voicebot', VOICEBOT_ARI_PASSWORD: password, VOICEBOT_SERVE_HEALTH_INTERVAL_SECONDS: '0',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = once(child, 'exit');
  const logText = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  try {
    await attached(logText, () => child.exitCode !== null, () => stderr);
    options.onLine?.(`serve       attached to the fake Asterisk at ${fake.url} (pid ${child.pid ?? '?'})\n`);
    const call = fake.placeCall({ args: options.profile === undefined ? [] : [options.profile], callerAudio: caller, callerRateHz: 8000, sendSilence: true });
    const timers = [
      setTimeout(() => call.hangup(), hangupAtMs),
      ...(options.dtmf ?? []).flatMap((press) => [...press.digits].map((digit, i) => setTimeout(() => call.sendDtmf(digit), press.atMs + i * 250))),
    ];
    const end = await call.ended;
    timers.forEach(clearTimeout);
    options.onLine?.(`call ended  ${end.how} at ${(end.atMs / 1000).toFixed(1)} s${Object.keys(end.variables).length > 0 ? `, ${Object.entries(end.variables).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}\n`);
    // The call's row and the media clean-up finish after the channel left Stasis.
    await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    return writeOutputs(outDir, logFile, caller, call, end, fake.requests, logText());
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolveWait) => setTimeout(resolveWait, 15_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await fake.close();
  }
}

async function attached(logText: () => string, exited: () => boolean, stderr: () => string): Promise<void> {
  const deadline = Date.now() + ATTACH_TIMEOUT_MS;
  while (!/events connected/.test(logText())) {
    if (exited() || Date.now() > deadline) {
      throw new VoicebotError('SIMULATE_SERVE_FAILED', `voicebot serve did not attach to the fake Asterisk:\n${stderr()}${logText().split('\n').filter((l) => / (ERROR|WARN) /.test(l)).join('\n')}`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 25));
  }
}

function writeOutputs(outDir: string, logFile: string, caller: Int16Array, call: FakeAriCall, end: FakeCallEnd,
  requests: readonly { method: string; path: string; status: number }[], log: string): AriSimulateResult {
  const bridged = call.events.find((e) => e.what === 'bridged')?.atMs ?? 0;
  const heard = call.heard();
  const endMs = Math.max(end.atMs, bridged + (caller.length / 8000) * 1000);
  const frames = Math.ceil((endMs / 1000) * 8000);
  const stereo = new Int16Array(frames * 2);
  const callerStart = Math.round((bridged / 1000) * 8000);
  for (let i = 0; i < caller.length && callerStart + i < frames; i += 1) stereo[(callerStart + i) * 2] = caller[i] ?? 0;
  const bot = heard.rateHz === 8000 ? heard.samples : resampleLinear(heard.samples, heard.rateHz, 8000);
  const scale = 8000 / heard.rateHz;
  for (const frame of heard.frames) {
    if (frame.fromChannelId === call.channelId) continue;
    const at = Math.round((frame.atMs / 1000) * 8000);
    for (let i = 0; i < frame.sampleCount * scale && at + i < frames; i += 1) stereo[(at + i) * 2 + 1] = bot[Math.round(frame.startSample * scale) + i] ?? 0;
  }
  const callWav = join(outDir, 'call.wav');
  writeWav(callWav, { sampleRateHz: 8000, channels: 2, samples: stereo });
  const commandsLog = join(outDir, 'commands.jsonl');
  writeFileSync(commandsLog, [...requests.map((r) => JSON.stringify({ rest: `${r.method} ${r.path}`, status: r.status })),
    ...call.events.map((e) => JSON.stringify(e))].join('\n') + '\n');
  const transcript = join(outDir, 'transcript.txt');
  writeFileSync(transcript, `# voicebot simulate --transport ari: ${end.how} at ${(end.atMs / 1000).toFixed(2)} s\n# call.wav: left = caller, right = bot\n`
    + call.events.map((e) => `${(e.atMs / 1000).toFixed(2).padStart(7)} s  ${e.what}${e.detail === undefined ? '' : ` ${e.detail}`}`).join('\n') + '\n');
  const problems: string[] = [];
  const status = end.variables['VOICEBOT_STATUS'];
  if (status !== undefined && /^(ERROR|[A-Z]+_FAILED)$/.test(status)) problems.push(`VOICEBOT_STATUS=${status}`);
  if (!/ greeting /.test(log)) problems.push('no greeting was played');
  for (const line of log.split('\n')) if (/^\S+ ERROR /.test(line)) problems.push(line.replace(/^\S+ ERROR /, ''));
  return { callWav, transcript, commandsLog, logFile, end, startedAtEpochMs: Date.now() - call.nowMs() + bridged, problems };
}
