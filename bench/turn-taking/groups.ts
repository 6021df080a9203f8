/**
 * The corpus: labelled groups of cases, each built deterministically from its group name and index
 * (voices, sentences, levels, offsets and noise seeds all follow from them).
 */
import { createHash } from 'node:crypto';
import { rmsDbfs } from '../../src/audio/pcm.ts';
import { createPrng, generateNoise, mixInto, scaleToDbfs, type NoiseKind } from '../../src/audio/noise.ts';
import { type BenchCase, type EchoPath, msToSamples } from './corpus.ts';
import { babble, between, click, cough, doorSlam } from './sounds.ts';
import { BABBLE_TEXTS, BOT_REPLIES, GREETINGS, LONG_SENTENCES, QUESTIONS } from './texts.ts';
import { BABBLE_VOICES, BOT_VOICES, CALLER_VOICES, RATE_HZ, speak, voiceLabel } from './voices.ts';

export interface CorpusOptions {
  /** Cases per group (groups that cross a grid round it up to whole grid rows). */
  perGroup: number;
  /** Keep speech and noise apart in `parts` (for the consistency test). */
  keepParts?: boolean;
  /** Only the groups whose name contains one of these. */
  only?: readonly string[];
}

type LineNoise = { kind: NoiseKind | 'babble'; snrDb: number };

const SPEECH_DBFS = -20;
const BOT_DBFS = -20;
const TRAIL_MS = 2000;
const ECHO_DELAYS_MS = [20, 100, 250] as const;
const ECHO_LOSSES_DB = [6, 12, 20, 30] as const;

export function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

/** Case k's caller: a voice and a sentence, crossing the lists so neighbouring cases differ in both. */
function callerLine(k: number, sentences: readonly string[]): { label: string; samples: Int16Array } {
  const voice = CALLER_VOICES[k % CALLER_VOICES.length] ?? CALLER_VOICES[0]!;
  const text = sentences[(k + 3 * Math.floor(k / CALLER_VOICES.length)) % sentences.length] ?? '';
  return { label: `${voiceLabel(voice)} "${text}"`, samples: speak(voice, text) };
}

function botLine(k: number, texts: readonly string[]): { label: string; samples: Int16Array } {
  const voice = BOT_VOICES[k % BOT_VOICES.length] ?? BOT_VOICES[0]!;
  const text = texts[Math.floor(k / BOT_VOICES.length) % texts.length] ?? '';
  return { label: `bot ${voiceLabel(voice)}`, samples: scaleToDbfs(speak(voice, text), BOT_DBFS) };
}

let babbleTalkers: Int16Array[] | undefined;

function lineNoise(noise: LineNoise, length: number, seed: number): Int16Array {
  if (noise.kind !== 'babble') return generateNoise(noise.kind, length, RATE_HZ, -30, seed);
  babbleTalkers ??= BABBLE_VOICES.map((voice, i) => speak(voice, BABBLE_TEXTS[i % BABBLE_TEXTS.length] ?? ''));
  return babble(babbleTalkers, length, seed, -30);
}

/** Lowest-energy 20 ms window between 35 % and 75 % of the sentence: the cut, at its centre. */
export function wordBoundary(samples: Int16Array): number {
  const window = msToSamples(20);
  const hop = window / 2;
  let best = Math.floor(samples.length / 2);
  let bestEnergy = Number.POSITIVE_INFINITY;
  for (let start = Math.floor(samples.length * 0.35); start + window <= samples.length * 0.75; start += hop) {
    let energy = 0;
    for (let i = start; i < start + window; i += 1) energy += (samples[i] ?? 0) ** 2;
    if (energy < bestEnergy) { bestEnergy = energy; best = start + hop; }
  }
  return best;
}

/** A finished question (optionally cut by a pause, optionally in noise) followed by silence. */
function question(group: string, k: number, options: { keepParts: boolean; levelDbfs?: number; noise?: LineNoise; pauseMs?: number }): BenchCase {
  const random = createPrng(seedOf(`question:${options.pauseMs === undefined ? 'q' : 'long'}:${k}`));
  const lead = msToSamples(between(random, 500, 1000));
  const level = options.levelDbfs ?? SPEECH_DBFS + between(random, -3, 3);
  const line = callerLine(k, options.pauseMs === undefined ? QUESTIONS : LONG_SENTENCES);
  const whole = scaleToDbfs(line.samples, level);
  const cut = options.pauseMs === undefined ? whole.length : wordBoundary(whole);
  const pause = options.pauseMs === undefined ? 0 : msToSamples(options.pauseMs);
  const end = lead + whole.length + pause;
  const speech = new Int16Array(end + msToSamples(TRAIL_MS));
  speech.set(whole.subarray(0, cut), lead);
  speech.set(whole.subarray(cut), lead + cut + pause);
  const c: BenchCase = {
    id: `${group}#${k}`, group, detail: `${line.label} at ${level.toFixed(1)} dBFS`,
    base: speech.slice(), bot: [],
    truth: {
      speech: pause === 0 ? [{ startSample: lead, endSample: end, turn: 0 }]
        : [{ startSample: lead, endSample: lead + cut, turn: 0 }, { startSample: lead + cut + pause, endSample: end, turn: 0 }],
      sentenceEnds: [end], interruptions: [], pauses: pause === 0 ? [] : [{ startSample: lead + cut, endSample: lead + cut + pause }],
    },
    expect: { bargeIn: false, turns: 1 },
  };
  if (options.noise !== undefined) {
    const noise = lineNoise(options.noise, speech.length, seedOf(`${group}:${k}`));
    const gainDb = level - options.noise.snrDb - rmsDbfs(noise.subarray(lead, lead + whole.length));
    mixInto(c.base, noise, 0, gainDb);
    c.snrDb = options.noise.snrDb;
    c.detail += `, ${options.noise.kind} at ${options.noise.snrDb} dB SNR`;
    if (options.keepParts) c.parts = { speech, noise: mixInto(new Int16Array(speech.length), noise, 0, gainDb) };
  }
  return c;
}

/** The bot plays a reply (or the greeting at 0); the caller is silent or interrupts; echo optional. */
function overBot(group: string, k: number, options: { interruptMs?: [number, number]; greeting?: boolean; echo?: EchoPath; dispersive?: boolean; extra?: (base: Int16Array, bot: { start: number; end: number }, random: () => number) => string }): BenchCase {
  const random = createPrng(seedOf(`${group}:${k}`));
  const bot = botLine(k, options.greeting === true ? GREETINGS : BOT_REPLIES);
  const echoPath = options.echo === undefined ? undefined : options.dispersive === true ? { ...options.echo, impulse: hybridImpulse(bot.samples) } : options.echo;
  const botStart = options.greeting === true ? 0 : msToSamples(500);
  const botEnd = botStart + bot.samples.length;
  const echoTail = options.echo?.delaySamples ?? 0;
  let caller: { onset: number; end: number; samples: Int16Array; label: string } | undefined;
  if (options.interruptMs !== undefined) {
    const line = callerLine(k, QUESTIONS);
    const level = SPEECH_DBFS + between(random, -3, 3);
    const onset = botStart + msToSamples(between(random, options.interruptMs[0], options.interruptMs[1]));
    const samples = scaleToDbfs(line.samples, level);
    caller = { onset, end: onset + samples.length, samples, label: `${line.label} at ${level.toFixed(1)} dBFS from ${((onset - botStart) / RATE_HZ).toFixed(2)} s` };
  }
  const length = Math.max(botEnd + echoTail + msToSamples(1500), (caller?.end ?? 0) + msToSamples(TRAIL_MS));
  const base = new Int16Array(length);
  if (caller !== undefined) base.set(caller.samples, caller.onset);
  const extra = options.extra?.(base, { start: botStart, end: botEnd }, random);
  const echo = echoPath === undefined ? '' : `, echo ${echoPath.lossDb} dB loss ${(echoPath.delaySamples * 1000) / RATE_HZ} ms${echoPath.impulse === undefined ? '' : ' dispersive'}`;
  return {
    id: `${group}#${k}`, group, detail: [bot.label, caller?.label, extra].filter((part) => part !== undefined).join('; ') + echo,
    base, bot: [{ startSample: botStart, samples: bot.samples }],
    ...(echoPath === undefined ? {} : { echo: echoPath }),
    truth: {
      speech: caller === undefined ? [] : [{ startSample: caller.onset, endSample: caller.end, turn: 0 }],
      sentenceEnds: caller === undefined ? [] : [caller.end], interruptions: caller === undefined ? [] : [caller.onset], pauses: [],
    },
    expect: { bargeIn: caller !== undefined, turns: caller === undefined ? 0 : 1 },
  };
}

/**
 * A 4 ms dispersive echo path (a decaying 900 Hz ringing, as a 2-wire hybrid reflects), scaled so
 * the echo of `reply` keeps the reply's RMS level before the loss is applied.
 */
export function hybridImpulse(reply: Int16Array): Float64Array {
  const taps = Float64Array.from({ length: msToSamples(4) }, (_, n) => Math.exp(-n / 6) * Math.cos((2 * Math.PI * 900 * n) / RATE_HZ));
  const filtered = new Float64Array(reply.length);
  for (let i = 0; i < reply.length; i += 1) {
    let sum = 0;
    for (let k = 0; k < taps.length && k <= i; k += 1) sum += (taps[k] ?? 0) * (reply[i - k] ?? 0);
    filtered[i] = sum;
  }
  const energy = (signal: ArrayLike<number>) => {
    let sum = 0;
    for (let i = 0; i < signal.length; i += 1) sum += (signal[i] ?? 0) ** 2;
    return sum;
  };
  const gain = Math.sqrt(energy(reply) / energy(filtered));
  return taps.map((tap) => tap * gain);
}

type Burst = 'cough' | 'click' | 'door slam';

function placeBurst(kind: Burst, seed: number): (base: Int16Array, bot: { start: number; end: number }, random: () => number) => string {
  return (base, bot, random) => {
    const at = bot.start + msToSamples(between(random, 500, ((bot.end - bot.start) * 1000) / RATE_HZ - 800));
    if (kind === 'cough') {
      const level = between(random, -20, -12);
      mixInto(base, cough(seed, level), at, 0);
      return `cough ${level.toFixed(1)} dBFS at ${(at / RATE_HZ).toFixed(2)} s`;
    }
    if (kind === 'door slam') {
      const peak = between(random, -3, 0);
      mixInto(base, doorSlam(seed, peak), at, 0);
      return `slam peak ${peak.toFixed(1)} dBFS at ${(at / RATE_HZ).toFixed(2)} s`;
    }
    let position = at;
    for (let i = 0; i < 3; i += 1) {
      mixInto(base, click(seed + i, between(random, -6, -1)), position, 0);
      position += msToSamples(between(random, 150, 400));
    }
    return `3 clicks from ${(at / RATE_HZ).toFixed(2)} s`;
  };
}

function steadyNoise(kind: NoiseKind, levelDbfs: number, seed: number): (base: Int16Array) => string {
  return (base) => {
    mixInto(base, generateNoise(kind, base.length, RATE_HZ, levelDbfs, seed), 0, 0);
    return `${kind} ${levelDbfs} dBFS throughout`;
  };
}

interface GroupSpec { name: string; count: number; make: (k: number) => BenchCase }

const STEADY_KINDS: readonly NoiseKind[] = ['pink', 'brown', 'hum50'];

function groupSpecs(perGroup: number, keepParts: boolean): GroupSpec[] {
  // Whole rows of a grid (voices, noise kinds, echo cells) when there are enough cases to fill one.
  const grid = (rows: number) => perGroup >= rows ? Math.ceil(perGroup / rows) * rows : perGroup;
  const specs: GroupSpec[] = [{ name: 'clean', count: grid(CALLER_VOICES.length), make: (k) => question('clean', k, { keepParts }) }];
  for (const kind of ['pink', 'babble', 'hum50'] as const) {
    for (const snrDb of [20, 10, 5]) {
      const name = `${kind === 'hum50' ? 'hum' : kind} ${snrDb} dB`;
      specs.push({ name, count: perGroup, make: (k) => question(name, k, { keepParts, noise: { kind, snrDb } }) });
    }
  }
  for (const kind of ['cough', 'click', 'door slam'] as const) {
    specs.push({ name: kind, count: perGroup, make: (k) => overBot(kind, k, { extra: placeBurst(kind, seedOf(`${kind}:${k}:burst`)) }) });
  }
  for (const level of [-35, -30, -25]) {
    const name = `steady ${level} dBFS`;
    specs.push({ name, count: grid(STEADY_KINDS.length), make: (k) => overBot(name, k, { extra: steadyNoise(STEADY_KINDS[k % STEADY_KINDS.length] ?? 'pink', level, seedOf(`${name}:${k}`)) }) });
  }
  for (const pauseMs of [500, 800, 1200]) {
    const name = `pause ${pauseMs} ms`;
    specs.push({ name, count: perGroup, make: (k) => question(name, k, { keepParts, pauseMs }) });
  }
  specs.push({ name: 'quiet -35 dBFS', count: perGroup, make: (k) => question('quiet -35 dBFS', k, { keepParts, levelDbfs: -35 }) });
  specs.push({ name: 'over greeting', count: perGroup, make: (k) => overBot('over greeting', k, { greeting: true, interruptMs: [800, 2000] }) });
  specs.push({ name: 'interruption', count: perGroup, make: (k) => overBot('interruption', k, { interruptMs: [1000, 3000] }) });
  for (const lossDb of ECHO_LOSSES_DB) {
    const name = `echo ${lossDb} dB`;
    specs.push({ name, count: grid(ECHO_DELAYS_MS.length), make: (k) => overBot(name, k, { echo: { lossDb, delaySamples: msToSamples(ECHO_DELAYS_MS[k % ECHO_DELAYS_MS.length] ?? 100) } }) });
  }
  for (const lossDb of [6, 12]) {
    const name = `echo ${lossDb} dB dispersive`;
    specs.push({ name, count: grid(ECHO_DELAYS_MS.length), make: (k) => overBot(name, k, { dispersive: true, echo: { lossDb, delaySamples: msToSamples(ECHO_DELAYS_MS[k % ECHO_DELAYS_MS.length] ?? 100) } }) });
  }
  const cells = ECHO_LOSSES_DB.length * ECHO_DELAYS_MS.length;
  specs.push({
    name: 'echo + interruption', count: grid(cells), make: (k) => overBot('echo + interruption', k, {
      interruptMs: [1000, 3000],
      echo: { lossDb: ECHO_LOSSES_DB[k % ECHO_LOSSES_DB.length] ?? 6, delaySamples: msToSamples(ECHO_DELAYS_MS[Math.floor(k / ECHO_LOSSES_DB.length) % ECHO_DELAYS_MS.length] ?? 100) },
    }),
  });
  return specs;
}

/** A case not built yet: its audio is made by `build()`, so a worker builds only its share. */
export interface PlannedCase { id: string; group: string; build: () => BenchCase }

/** Every case of the corpus, group by group, in a fixed order. */
export function corpusPlan(options: CorpusOptions): PlannedCase[] {
  const plan: PlannedCase[] = [];
  for (const spec of groupSpecs(options.perGroup, options.keepParts ?? false)) {
    if (options.only !== undefined && !options.only.some((part) => spec.name.includes(part))) continue;
    for (let k = 0; k < spec.count; k += 1) plan.push({ id: `${spec.name}#${k}`, group: spec.name, build: () => spec.make(k) });
  }
  return plan;
}

export function buildCorpus(options: CorpusOptions): BenchCase[] {
  return corpusPlan(options).map((planned) => planned.build());
}

/** The groups in table order. */
export function groupNames(): string[] {
  return groupSpecs(1, false).map((spec) => spec.name);
}
