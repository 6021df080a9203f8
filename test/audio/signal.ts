/** Level (dBFS, sine-referenced like rmsDbfs) of one frequency component, by a single DFT bin. */
export function levelAtDbfs(samples: Int16Array, frequencyHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  let re = 0;
  let im = 0;
  for (let i = 0; i < samples.length; i += 1) {
    re += (samples[i] ?? 0) * Math.cos(w * i);
    im += (samples[i] ?? 0) * Math.sin(w * i);
  }
  const amplitude = (Math.hypot(re, im) * 2) / samples.length;
  return 20 * Math.log10(amplitude / Math.SQRT2 / 32768);
}

/** The middle of a signal, away from the filter's edge transients. */
export function middle(samples: Int16Array): Int16Array {
  return samples.subarray(Math.floor(samples.length * 0.2), Math.floor(samples.length * 0.8));
}
