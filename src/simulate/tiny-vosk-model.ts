import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A TEST speech model: an energy detector written in Kaldi's file formats that real libvosk loads.
 * It emits the word `hello` once per stretch of speech and nothing on silence, so it proves model
 * loading, feature extraction, decoding, JSON results, word times and endpoints on real audio,
 * but it recognises no words. `voicebot simulate` uses it (labelled as such) when no real model
 * is installed. Layout and numbers: docs/tiny-vosk-model.md.
 */
export const TINY_MODEL_WORD = 'hello';

export interface TinyModelOptions {
  /** c0 (log energy) above which a frame counts as speech; 12 ≈ -45 dBFS speech level. */
  speechLogEnergy?: number;
}

const MFCC_CONF = [
  '--sample-frequency=8000',
  '--use-energy=true',
  '--num-ceps=13',
  '--num-mel-bins=23',
  '--allow-downsample=true',
  '',
].join('\n');

const MODEL_CONF = [
  '--min-active=20',
  '--max-active=200',
  '--beam=10.0',
  '--lattice-beam=2.0',
  '--acoustic-scale=1.0',
  '--frame-subsampling-factor=3',
  '--endpoint.silence-phones=1',
  '--endpoint.rule2.min-trailing-silence=0.5',
  '--endpoint.rule3.min-trailing-silence=0.75',
  '--endpoint.rule4.min-trailing-silence=1.0',
  '',
].join('\n');

function finalMdl(threshold: number): string {
  const rowSilence = ['-1', ...Array<string>(12).fill('0')].join(' ');
  const rowSpeech = ['1', ...Array<string>(12).fill('0')].join(' ');
  return [
    '<TransitionModel> ',
    '<Topology> ',
    '<TopologyEntry> ',
    '<ForPhones> ',
    '1 2 ',
    '</ForPhones> ',
    '<State> 0 <PdfClass> 0 <Transition> 0 0.5 <Transition> 1 0.5 </State> ',
    '<State> 1 </State> ',
    '</TopologyEntry> ',
    '</Topology> ',
    '<Tuples> 2 ',
    '1 0 0 0 ',
    '2 0 1 1 ',
    '</Tuples> ',
    '<LogProbs> ',
    ' [ 0 -0.6931472 -0.6931472 -0.6931472 -0.6931472 ]',
    '</LogProbs> ',
    '</TransitionModel> ',
    '<Nnet3> ',
    'input-node name=input dim=13',
    'component-node name=affine1 component=affine1 input=input',
    'output-node name=output input=affine1 objective=linear',
    '',
    '<NumComponents> 1 ',
    '<ComponentName> affine1 <AffineComponent> <LearningRateFactor> 1 <MaxChange> 0 <LearningRate> 0.001 <LinearParams>  [',
    `  ${rowSilence} `,
    `  ${rowSpeech} ]`,
    `<BiasParams>  [ ${threshold} ${-threshold} ]`,
    '<IsGradient> F </AffineComponent> ',
    '</Nnet3> ',
    '<LeftContext> 0 <RightContext> 0 <Priors>  [ ]',
    '',
  ].join('\n');
}

/** One arc of the decoding graph: input transition-id, output word id, weight, next state. */
interface Arc { ilabel: number; olabel: number; weight: number; next: number }

/** HCLG over transition-ids: 1/2 SIL self-loop/forward, 3/4 SPEECH self-loop/forward; `hello` on entering speech. */
const GRAPH: { arcs: Arc[]; final: boolean }[] = [
  { final: false, arcs: [{ ilabel: 2, olabel: 0, weight: 0, next: 1 }, { ilabel: 4, olabel: 1, weight: 2, next: 2 }] },
  { final: true, arcs: [{ ilabel: 1, olabel: 0, weight: 0, next: 1 }, { ilabel: 4, olabel: 1, weight: 2, next: 2 }] },
  { final: true, arcs: [{ ilabel: 3, olabel: 0, weight: 0, next: 2 }, { ilabel: 2, olabel: 0, weight: 0, next: 1 }] },
];

const FST_MAGIC = 0x7eb2fdd6;
/** kExpanded | kMutable: every other property left unknown, so OpenFst computes what it needs. */
const FST_PROPERTIES = 0x3n;

/** OpenFst `vector` FST with `standard` (tropical float) arcs, binary format version 2. */
export function encodeVectorFst(states: readonly { arcs: readonly Arc[]; final: boolean }[], start = 0): Uint8Array {
  const parts: Buffer[] = [];
  const int32 = (value: number) => { const b = Buffer.alloc(4); b.writeInt32LE(value); parts.push(b); };
  const uint32 = (value: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(value); parts.push(b); };
  const int64 = (value: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64LE(value); parts.push(b); };
  const float = (value: number) => { const b = Buffer.alloc(4); b.writeFloatLE(value); parts.push(b); };
  const text = (value: string) => { int32(value.length); parts.push(Buffer.from(value, 'ascii')); };
  const arcCount = states.reduce((sum, state) => sum + state.arcs.length, 0);
  uint32(FST_MAGIC);
  text('vector');
  text('standard');
  int32(2); // version
  int32(0); // flags: no input/output symbol tables
  int64(FST_PROPERTIES);
  int64(BigInt(start));
  int64(BigInt(states.length));
  int64(BigInt(arcCount));
  for (const state of states) {
    float(state.final ? 0 : Number.POSITIVE_INFINITY);
    int64(BigInt(state.arcs.length));
    for (const arc of state.arcs) {
      int32(arc.ilabel);
      int32(arc.olabel);
      float(arc.weight);
      int32(arc.next);
    }
  }
  return Buffer.concat(parts);
}

/** Write the tiny test model into `dir` (created); returns `dir`. */
export function writeTinyVoskModel(dir: string, options: TinyModelOptions = {}): string {
  const threshold = options.speechLogEnergy ?? 12;
  for (const sub of ['am', 'conf', join('graph', 'phones')]) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'conf', 'mfcc.conf'), MFCC_CONF);
  writeFileSync(join(dir, 'conf', 'model.conf'), MODEL_CONF);
  writeFileSync(join(dir, 'am', 'final.mdl'), finalMdl(threshold));
  writeFileSync(join(dir, 'graph', 'words.txt'), `<eps> 0\n${TINY_MODEL_WORD} 1\n#0 2\n`);
  writeFileSync(join(dir, 'graph', 'phones', 'word_boundary.int'), '1 nonword\n2 singleton\n');
  writeFileSync(join(dir, 'graph', 'HCLG.fst'), encodeVectorFst(GRAPH));
  writeFileSync(join(dir, 'README'), 'voicebot TEST model: an energy detector that outputs "hello" per stretch of speech. Not a speech recogniser.\n');
  return dir;
}
