import { describe, expect, it } from 'vitest';
import { chartModel, daysBetween, MAX_NAMED_SERIES, niceCeiling, OTHER_SERIES } from '../../../web/src/chart-model.ts';
import type { DailyCount } from '../../../web/src/types.ts';

const count = (day: string, deployment: string, divergences: number, submissions = 1): DailyCount => ({ day, deployment, divergences, submissions });

describe('the divergences chart model', () => {
  it('has every day of the window, oldest first, across month ends', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(daysBetween('2026-11-25', '2026-11-25')).toEqual(['2026-11-25']);
  });

  it('puts each deployment in a series per day, zero on days without submissions', () => {
    // Prepare
    const stats = {
      days: 3,
      from: '2026-11-23',
      to: '2026-11-25',
      items: [count('2026-11-23', 'prod', 2, 3), count('2026-11-25', 'prod', 5), count('2026-11-25', 'canary', 1, 4)],
    };

    // Act
    const model = chartModel(stats);

    // Assess
    expect(model.days).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
    expect(model.series).toEqual([
      { label: 'prod', divergences: [2, 0, 5], submissions: [3, 0, 1], totalDivergences: 7, totalSubmissions: 4 },
      { label: 'canary', divergences: [0, 0, 1], submissions: [0, 0, 4], totalDivergences: 1, totalSubmissions: 4 },
    ]);
    expect(model.yMax).toBe(6);
  });

  it('ranks series by divergences, then submissions, then name, and keeps deployments without divergences', () => {
    const model = chartModel({ days: 1, from: '2026-11-25', to: '2026-11-25', items: [count('2026-11-25', 'b', 0, 1), count('2026-11-25', 'a', 0, 1), count('2026-11-25', 'c', 0, 5), count('2026-11-25', 'd', 3)] });
    expect(model.series.map((s) => s.label)).toEqual(['d', 'c', 'a', 'b']);
  });

  it(`draws at most ${MAX_NAMED_SERIES} deployments on their own and the rest as one`, () => {
    const items = Array.from({ length: 9 }, (_, i) => count('2026-11-25', `dep-${i}`, i + 1));
    const model = chartModel({ days: 1, from: '2026-11-25', to: '2026-11-25', items });
    expect(model.series.map((s) => s.label)).toEqual(['dep-8', 'dep-7', 'dep-6', 'dep-5', 'dep-4', OTHER_SERIES]);
    expect(model.series.at(-1)).toMatchObject({ divergences: [1 + 2 + 3 + 4], totalSubmissions: 4 });
    expect(model.yMax).toBe(50);
  });

  it('ignores counts outside the window and keeps a y axis of at least 1', () => {
    const model = chartModel({ days: 1, from: '2026-11-25', to: '2026-11-25', items: [count('2026-11-01', 'old', 9), count('2026-11-25', 'prod', 0)] });
    expect(model.series.map((s) => s.label)).toEqual(['prod']);
    expect(model.yMax).toBe(1);
  });

  it.each([
    [0, 1],
    [1, 1],
    [2, 2],
    [7, 8],
    [11, 15],
    [21, 30],
    [99, 100],
    [101, 150],
    [4_100, 5_000],
  ])('rounds a tallest bar of %i up to %i', (value, expected) => {
    expect(niceCeiling(value)).toBe(expected);
  });
});
