import type { KeyTable } from '../schema.ts';

/** Text-to-speech (Piper voice through sherpa-onnx) settings. */
export const ttsKeys = {
  voice_engine: {
    type: 'enum', scope: 'profile', default: 'piper', values: ['piper', 'test-espeak', 'test-tone'],
    doc: 'piper = the Piper voice in piper_voice. test-espeak = a TEST ENGINE: Debian\'s espeak-ng speaks the sentences (robotic), used by `voicebot simulate` where no Piper voice is installed. test-tone = a TEST ENGINE that beeps instead of speaking. Never use a test engine on a live line.',
  },
  piper_voice: {
    type: 'path', scope: 'profile', default: '/var/lib/voicebot/models/voice.onnx',
    doc: 'Piper voice model; its .onnx.json must sit beside it. Prepared once for sherpa-onnx under cache_dir/voices.',
  },
  espeak_data_dir: {
    type: 'path', scope: 'general', default: '/usr/lib/x86_64-linux-gnu/espeak-ng-data',
    doc: "espeak-ng data folder (Debian package espeak-ng-data).",
  },
  tts_format: {
    type: 'enum', scope: 'profile', default: 'sln', values: ['sln', 'sln16'],
    doc: 'Sound files written for playback: sln = 8 kHz (any channel), sln16 = 16 kHz (wideband channels only).',
  },
  tts_speed: {
    type: 'number', scope: 'profile', default: 1, min: 0.5, max: 2,
    doc: 'Speaking rate: 1 = the voice\'s own, 1.2 = 20% faster.',
  },
  tts_speaker_id: {
    type: 'int', scope: 'profile', default: 0, min: 0, max: 10000,
    doc: 'Speaker number inside a multi-speaker Piper voice.',
  },
  tts_num_threads: {
    type: 'int', scope: 'general', default: 1, min: 1, max: 16,
    doc: 'CPU threads per call for synthesis (each call is its own process).',
  },
  tts_max_text_chars: {
    type: 'int', scope: 'general', default: 1000, min: 50, max: 10000,
    doc: 'Longest text one synthesis call takes (replies are spoken sentence by sentence).',
  },
  tts_max_reply_seconds: {
    type: 'int', scope: 'profile', default: 90, min: 5, max: 600,
    doc: 'Cap on synthesized audio per reply; sentences past it are not spoken.',
  },
  tts_max_sentence_chars: {
    type: 'int', scope: 'general', default: 300, min: 40, max: 2000,
    doc: 'Streamed replies are cut into sentences of at most this length.',
  },
} as const satisfies KeyTable;
