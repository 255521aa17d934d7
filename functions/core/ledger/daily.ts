import { ledgerLimits } from './limits.ts';

/** Submissions and divergences of one deployment on one UTC day. */
export interface DailyCount {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  deployment: string;
  submissions: number;
  divergences: number;
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
