import { ledgerLimits } from './limits.ts';

/** Submissions and divergences of one deployment on one UTC day. */
export interface DailyCount {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  deployment: string;
  submissions: number;
  divergences: number;
}

/** The counters of a window, newest days first read: at most `maxCounters`, so the oldest days may be left out. */
export interface DailyWindow {
  items: DailyCount[];
  /** False when the window held more counters than were read: days before `firstWholeDay` were left out or cut. */
  complete: boolean;
  /** With `complete: false`, the oldest day all of whose counters were read. */
  firstWholeDay?: string;
}

/** The answer of `GET /api/v1/replay/stats/daily`: only days with submissions have items. */
export interface DailyStats {
  days: number;
  from: string;
  to: string;
  items: DailyCount[];
}

/** The UTC day (`YYYY-MM-DD`) of an instant; a submission counts on the day it was recorded. */
export function utcDayOf(at: Date | string): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The last `days` UTC days up to and including the day of `now`. */
export function dayWindow(now: Date, days: number): { from: string; to: string } {
  if (!Number.isInteger(days) || days < 1 || days > ledgerLimits.maxDailyDays) {
    throw new RangeError(`days must be an integer from 1 to ${ledgerLimits.maxDailyDays}`);
  }
  const from = new Date(now.getTime() - (days - 1) * 86_400_000);
  return { from: utcDayOf(from), to: utcDayOf(now) };
}

/** Orders counts by day, then deployment, so answers do not depend on storage order. */
export function sortDailyCounts(counts: readonly DailyCount[]): DailyCount[] {
  return [...counts].sort((a, b) => (a.day === b.day ? compare(a.deployment, b.deployment) : compare(a.day, b.day)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The deployment the counts of every deployment past the busiest ones are summed under. */
export const OTHER_DEPLOYMENTS = '(other)';

/**
 * Keeps the `max` busiest deployments of a window (by submissions over the
 * window; ties by name) and sums the rest, per day, as `(other)`: an answer
 * stays small however many free-text deployments SDKs send. A deployment
 * that is itself named `(other)` is counted with them.
 */
export function capDeployments(counts: readonly DailyCount[], max: number): DailyCount[] {
  const totals = new Map<string, number>();
  for (const count of counts) totals.set(count.deployment, (totals.get(count.deployment) ?? 0) + count.submissions);
  const named = [...totals].filter(([deployment]) => deployment !== OTHER_DEPLOYMENTS);
  if (named.length <= max && !totals.has(OTHER_DEPLOYMENTS)) return [...counts];
  const kept = new Set(
    named
      .sort(([a, x], [b, y]) => y - x || compare(a, b))
      .slice(0, max)
      .map(([deployment]) => deployment),
  );
  const others = new Map<string, DailyCount>();
  const result: DailyCount[] = [];
  for (const count of counts) {
    if (kept.has(count.deployment)) {
      result.push(count);
      continue;
    }
    const other = others.get(count.day) ?? { day: count.day, deployment: OTHER_DEPLOYMENTS, submissions: 0, divergences: 0 };
    others.set(count.day, { ...other, submissions: other.submissions + count.submissions, divergences: other.divergences + count.divergences });
  }
  return [...result, ...others.values()];
}

/**
 * A window read newest day first, `maxCounters + 1` counters at most: when
 * there were more than `maxCounters`, the oldest day read may be cut, so the
 * window starts at the day after it.
 */
export function windowOf(newestFirst: readonly DailyCount[], maxCounters: number): DailyWindow {
  if (newestFirst.length <= maxCounters) return { items: [...newestFirst], complete: true };
  const cutDay = newestFirst[maxCounters]!.day;
  const items = newestFirst.slice(0, maxCounters).filter((count) => count.day > cutDay);
  return { items, complete: false, firstWholeDay: items.at(-1)?.day ?? nextDay(cutDay) };
}

function nextDay(day: string): string {
  return utcDayOf(new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000));
}
