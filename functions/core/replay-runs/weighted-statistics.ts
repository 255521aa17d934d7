export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  ci95_low: number;
  ci95_high: number;
}

/**
 * Summary statistics of samples given as distinct values with counts:
 * mean, nearest-rank percentiles, and a 95% normal-approximation interval
 * of the mean (mean ± 1.96·s/√n).
 */
export function summarize(values: Float64Array, counts: Float64Array, length = values.length): Summary {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < length; i++) {
    n += counts[i]!;
    sum += values[i]! * counts[i]!;
  }
  if (n === 0) return { n: 0, mean: 0, p50: 0, p95: 0, p99: 0, ci95_low: 0, ci95_high: 0 };
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < length; i++) squares += counts[i]! * (values[i]! - mean) ** 2;
  const halfWidth = n > 1 ? 1.96 * Math.sqrt(squares / (n - 1) / n) : 0;

  const order = Array.from({ length }, (_, i) => i).filter((i) => counts[i]! > 0);
  order.sort((a, b) => values[a]! - values[b]!);
  const percentile = (p: number) => {
    const rank = Math.max(1, Math.ceil(p * n));
    let seen = 0;
    for (const i of order) {
      seen += counts[i]!;
      if (seen >= rank) return values[i]!;
    }
    return values[order.at(-1)!]!;
  };
  return { n, mean, p50: percentile(0.5), p95: percentile(0.95), p99: percentile(0.99), ci95_low: mean - halfWidth, ci95_high: mean + halfWidth };
}
