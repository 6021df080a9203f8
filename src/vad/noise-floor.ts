/** Window levels kept for the background estimate (about 3 s of 32 ms windows). */
const HISTORY_WINDOWS = 96;
/** The background is this low percentile of recent levels: the troughs between words and sounds. */
const BACKGROUND_PERCENTILE = 0.2;
const MIN_MARGIN_DB = 4;
const MAX_MARGIN_DB = 10;
/** Where between the background and the turn's speech level a window must reach to hold the turn. */
const MARGIN_FRACTION = 0.6;
/** Speech windows needed before the turn's speech level is trusted. */
const MIN_SPEECH_WINDOWS = 6;
/** Digital silence counts as this level, so a clean line has a background far below any speech. */
const SILENCE_DBFS = -100;
/** Windows averaged (by power) for the level compared with the background: noise peaks are short. */
const SMOOTH_WINDOWS = 3;

/**
 * The line's background level and the level of the current turn's speech, for noise or babble
 * that goes on after the caller stopped: a window holds a turn open only if its smoothed level is
 * clearly above the background (60 % of the way to the turn's speech level, 4 to 10 dB). The
 * background is a low percentile of the last 3 s of levels, whatever the detector said, so it is
 * known even when the noise began before the call (minimum statistics). On a clean line it is
 * digital silence and nothing changes.
 */
export class NoiseFloor {
  readonly #history: number[] = [];
  readonly #recentPower: number[] = [];
  #floorDbfs = Number.NEGATIVE_INFINITY;
  #speech: number[] = [];
  #speechDbfs = Number.NEGATIVE_INFINITY;
  #sinceUpdate = 0;

  /** One window's level (dBFS) and whether the detector took it for speech. */
  observe(levelDbfs: number, speech: boolean): void {
    const level = Number.isFinite(levelDbfs) ? levelDbfs : SILENCE_DBFS;
    this.#history.push(level);
    if (this.#history.length > HISTORY_WINDOWS) this.#history.shift();
    this.#recentPower.push(10 ** (level / 10));
    if (this.#recentPower.length > SMOOTH_WINDOWS) this.#recentPower.shift();
    if (speech && this.#speech.length < 2000) this.#speech.push(level);
    this.#sinceUpdate += 1;
    if (this.#sinceUpdate >= 8) {
      this.#sinceUpdate = 0;
      if (this.#history.length >= HISTORY_WINDOWS / 2) this.#floorDbfs = percentile(this.#history, BACKGROUND_PERCENTILE);
      if (this.#speech.length >= MIN_SPEECH_WINDOWS) this.#speechDbfs = percentile(this.#speech, 0.5);
    }
  }

  startTurn(): void {
    this.#speech = [];
    this.#speechDbfs = Number.NEGATIVE_INFINITY;
  }

  /** Whether the last windows' level is clearly above the background (true while either is unknown). */
  aboveBackground(): boolean {
    return this.levelAboveBackground(10 * Math.log10(this.#recentPower.reduce((sum, power) => sum + power, 0) / Math.max(1, this.#recentPower.length)));
  }

  levelAboveBackground(levelDbfs: number): boolean {
    if (!Number.isFinite(this.#floorDbfs) || !Number.isFinite(this.#speechDbfs)) return true;
    const margin = Math.min(MAX_MARGIN_DB, Math.max(MIN_MARGIN_DB, (this.#speechDbfs - this.#floorDbfs) * MARGIN_FRACTION));
    return levelDbfs >= this.#floorDbfs + margin;
  }

  /** Turn speech over background in dB (Infinity on a clean line or while unknown). */
  get snrDb(): number {
    return Number.isFinite(this.#floorDbfs) && Number.isFinite(this.#speechDbfs) ? this.#speechDbfs - this.#floorDbfs : Number.POSITIVE_INFINITY;
  }

  /** Whether a level is out of the background at all (4 dB above it): audio the pitch cue may read. */
  clearOfBackground(levelDbfs: number): boolean {
    return !Number.isFinite(this.#floorDbfs) || levelDbfs >= this.#floorDbfs + MIN_MARGIN_DB;
  }
}

function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NEGATIVE_INFINITY;
}
