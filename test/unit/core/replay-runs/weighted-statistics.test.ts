import { describe, expect, it } from 'vitest';
import { selectWeighted, summarize } from '../../../../functions/core/replay-runs/weighted-statistics.ts';

/** Nearest-rank percentile by sorting the expanded samples: the definition summarize must match. */
function byExpansion(values: number[], counts: number[], p: number): number {
  const samples = values.flatMap((v, i) => Array.from({ length: counts[i]! }, () => v)).sort((a, b) => a - b);
  return samples[Math.max(1, Math.ceil(p * samples.length)) - 1]!;
}

describe('weighted statistics', () => {
  it('finds nearest-rank percentiles of weighted values as sorting every sample would, ties and zero counts included', () => {
    let state = 7;
    const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 50; round++) {
      const n = 1 + Math.floor(next() * 60);
      const values = Array.from({ length: n }, () => Math.round(next() * 20) - 10);
      const counts = Array.from({ length: n }, () => Math.floor(next() * 5));
      if (!counts.some((c) => c > 0)) counts[0] = 1;
      const summary = summarize(Float64Array.from(values), Float64Array.from(counts));
      expect(summary.p50, `round ${round}`).toBe(byExpansion(values, counts, 0.5));
      expect(summary.p95, `round ${round}`).toBe(byExpansion(values, counts, 0.95));
      expect(summary.p99, `round ${round}`).toBe(byExpansion(values, counts, 0.99));
    }
  });

  it('selects in place over sorted and reversed input, and the maximum rank is the largest value', () => {
    const sorted = Float64Array.from({ length: 1_000 }, (_, i) => i);
    expect(selectWeighted(sorted.slice(), new Float64Array(1_000).fill(1), 1_000)).toBe(999);
    expect(selectWeighted(sorted.slice().reverse(), new Float64Array(1_000).fill(1), 1)).toBe(0);
    expect(selectWeighted(Float64Array.of(5), Float64Array.of(3), 2)).toBe(5);
  });

  it('gives zeros without samples, and no interval width for one', () => {
    expect(summarize(new Float64Array(0), new Float64Array(0))).toEqual({ n: 0, mean: 0, p50: 0, p95: 0, p99: 0, ci95_low: 0, ci95_high: 0 });
    expect(summarize(Float64Array.of(3), Float64Array.of(1))).toMatchObject({ n: 1, mean: 3, ci95_low: 3, ci95_high: 3 });
  });
});
