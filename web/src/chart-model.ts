import type { DailyStats } from './types.ts';

/** Deployments drawn on their own; the rest share one "other deployments" series. */
export const MAX_NAMED_SERIES = 5;
export const OTHER_SERIES = 'other deployments';

export interface ChartSeries {
  label: string;
  /** Per day of `ChartModel.days`. */
  divergences: number[];
  submissions: number[];
  totalDivergences: number;
  totalSubmissions: number;
}

export interface ChartModel {
  /** Every UTC day of the window, oldest first. */
  days: string[];
  /** Most divergences first; each day's bar stacks them in this order. */
  series: ChartSeries[];
  /** The top of the y axis: a round number at or above the tallest bar (at least 1). */
  yMax: number;
}

/** Divergences per day, stacked by deployment, from the daily stats of a window. */
export function chartModel(stats: DailyStats): ChartModel {
  const days = daysBetween(stats.from, stats.to);
  const index = new Map(days.map((day, i) => [day, i]));
  const byDeployment = new Map<string, ChartSeries>();
  for (const item of stats.items) {
    const i = index.get(item.day);
    if (i === undefined) continue;
    const series = byDeployment.get(item.deployment) ?? emptySeries(item.deployment, days.length);
    series.divergences[i]! += item.divergences;
    series.submissions[i]! += item.submissions;
    series.totalDivergences += item.divergences;
    series.totalSubmissions += item.submissions;
    byDeployment.set(item.deployment, series);
  }
  const ranked = [...byDeployment.values()].sort(
    (a, b) => b.totalDivergences - a.totalDivergences || b.totalSubmissions - a.totalSubmissions || a.label.localeCompare(b.label),
  );
  const series = ranked.length > MAX_NAMED_SERIES + 1 ? [...ranked.slice(0, MAX_NAMED_SERIES), merge(ranked.slice(MAX_NAMED_SERIES), days.length)] : ranked;
  const tallest = Math.max(0, ...days.map((_, i) => series.reduce((sum, s) => sum + s.divergences[i]!, 0)));
  return { days, series, yMax: niceCeiling(tallest) };
}

/** Every day from `from` to `to` (`YYYY-MM-DD`, inclusive). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && days.length < 366; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The smallest round number (1, 1.5, 2, 3, 4, 5, 6 or 8 × 10^n, whole) at or above `value`; 1 for 0. */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.5, 2, 3, 4, 5, 6, 8, 10]) {
    const candidate = step * magnitude;
    if (candidate >= value && Number.isInteger(candidate)) return candidate;
  }
  return 10 * magnitude;
}

function emptySeries(label: string, length: number): ChartSeries {
  return { label, divergences: Array(length).fill(0), submissions: Array(length).fill(0), totalDivergences: 0, totalSubmissions: 0 };
}

function merge(rest: ChartSeries[], length: number): ChartSeries {
  const other = emptySeries(OTHER_SERIES, length);
  for (const series of rest) {
    series.divergences.forEach((value, i) => (other.divergences[i]! += value));
    series.submissions.forEach((value, i) => (other.submissions[i]! += value));
    other.totalDivergences += series.totalDivergences;
    other.totalSubmissions += series.totalSubmissions;
  }
  return other;
}
