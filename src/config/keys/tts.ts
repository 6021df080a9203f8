import type { KeyTable } from '../schema.ts';

/** Text-to-speech (Piper voice through sherpa-onnx) settings. */
export const ttsKeys = {
  piper_voice: {
    type: 'path', scope: 'profile', default: '/var/lib/voicebot/models/voice.onnx',
    doc: 'Piper voice model; its .onnx.json must sit beside it.',
  },
  espeak_data_dir: {
    type: 'path', scope: 'general', default: '/usr/lib/x86_64-linux-gnu/espeak-ng-data',
    doc: "espeak-ng data folder (Debian package espeak-ng-data).",
  },
} as const satisfies KeyTable;
