import type { KeyTable } from '../schema.ts';

/**
 * TEST STAND-IN costs: CPU and memory a real model would take, added on top of the test engines so
 * capacity benchmarks on a box without real models show the curve a real box would have.
 */
export const standinKeys = {
  test_stt_rtf: {
    type: 'number', scope: 'profile', default: 0, min: 0, max: 4,
    doc: 'TEST STAND-IN: CPU burnt per second of caller audio on top of the real recognizer, off the main thread, as a real model would (0.2 stands in for a Vosk small model). 0: off. Never on a live line.',
  },
  test_tts_rtf: {
    type: 'number', scope: 'profile', default: 0, min: 0, max: 4,
    doc: 'TEST STAND-IN: CPU burnt per second of synthesized audio on top of the real voice, off the main thread, and awaited, so the synthesis takes that long too (0.075 stands in for a Piper medium voice). 0: off. Never on a live line.',
  },
  test_model_rss_mb: {
    type: 'int', scope: 'profile', default: 0, min: 0, max: 4096,
    doc: 'TEST STAND-IN: megabytes of memory allocated and touched once per call process, as a loaded model holds (300 stands in for a Vosk small model). 0: off. Never on a live line.',
  },
} as const satisfies KeyTable;
