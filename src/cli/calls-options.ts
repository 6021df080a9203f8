import { InvalidArgumentError } from 'commander';

const UNIT_MS: Record<string, number> = {
  s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000,
};

/** `90d`, `12h`, `30m`, `45s`, `2w` as milliseconds; undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)$/i.exec(text.trim());
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]!;
}

/** commander parser for `--older-than`: a duration. */
export function durationOption(text: string): number {
  const value = parseDurationMs(text);
  if (value === undefined || value <= 0) throw new InvalidArgumentError('expected a duration such as 90d, 12h, 30m or 2w.');
  return value;
}

/**
 * commander parser for `--since`: a duration back from now (`7d`) or a date/time
 * (`2025-11-01` = local midnight, `2025-11-01T08:30`, or any ISO-8601 time). Returns epoch ms.
 */
export function sinceOption(text: string, nowMs: number = Date.now()): number {
  const duration = parseDurationMs(text);
  if (duration !== undefined) return nowMs - duration;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const ms = day !== null ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])).getTime() : Date.parse(text);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('expected a duration back from now (7d, 12h) or a date (2025-11-01, 2025-11-01T08:30).');
  return ms;
}

/** commander parser for `--limit`. */
export function limitOption(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return value;
}
