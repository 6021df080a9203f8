import { errorMessage } from '../errors.ts';
import { isSingleExecutable } from '../runtime/sea-assets.ts';
import { SileroDetector } from './silero-detector.ts';

/** Loads Silero VAD the way a call does (from inside the binary when built) and runs it on a second of silence. */
export function checkSileroVad(): { ok: boolean; detail: string } {
  const started = performance.now();
  try {
    const detector = SileroDetector.load({ threshold: 0.5 });
    const loadMs = performance.now() - started;
    const windows = detector.accept(new Int16Array(16_000), 16_000);
    detector.close();
    if (windows.length === 0 || windows.some((window) => window.speech)) {
      return { ok: false, detail: `Silero VAD gave ${windows.length} windows for a second of silence, some of them speech` };
    }
    return { ok: true, detail: `Silero VAD v5 loaded in ${Math.round(loadMs)} ms and ran ${windows.length} windows (${isSingleExecutable() ? 'embedded' : 'node_modules'})` };
  } catch (error) {
    return { ok: false, detail: errorMessage(error) };
  }
}
