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
    const w = counts[i]!;
    if (w <= 0) continue;
    n += w;
    sum += values[i]! * w;
  }
  if (n === 0) return { n: 0, mean: 0, p50: 0, p95: 0, p99: 0, ci95_low: 0, ci95_high: 0 };
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < length; i++) if (counts[i]! > 0) squares += counts[i]! * (values[i]! - mean) ** 2;
  const halfWidth = n > 1 ? 1.96 * Math.sqrt(squares / (n - 1) / n) : 0;

  const [p50, p95, p99] = weightedPercentiles(values, counts, length, n, [0.5, 0.95, 0.99]);
  return { n, mean, p50: p50!, p95: p95!, p99: p99!, ci95_low: mean - halfWidth, ci95_high: mean + halfWidth };
}

const BUCKETS = 4_096;

/**
 * Nearest-rank percentiles of weighted values in two linear passes: a
 * histogram of the counts over the value range finds the bucket each rank
 * falls in, and only that bucket's values are selected among (exactly, by
 * quickselect). Sorting millions of distinct values would dominate a run.
 */
function weightedPercentiles(values: Float64Array, counts: Float64Array, length: number, n: number, ps: number[]): number[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < length; i++) {
    if (counts[i]! <= 0) continue;
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) return ps.map(() => min);
  const scale = (BUCKETS - 1) / (max - min);
  const perBucket = new Float64Array(BUCKETS);
  for (let i = 0; i < length; i++) if (counts[i]! > 0) perBucket[Math.floor((values[i]! - min) * scale)]! += counts[i]!;
  return ps.map((p) => {
    let rank = Math.max(1, Math.ceil(p * n));
    let bucket = 0;
    while (bucket < BUCKETS - 1 && rank > perBucket[bucket]!) rank -= perBucket[bucket++]!;
    let size = 0;
    for (let i = 0; i < length; i++) if (counts[i]! > 0 && Math.floor((values[i]! - min) * scale) === bucket) size++;
    const v = new Float64Array(size);
    const w = new Float64Array(size);
    for (let i = 0, j = 0; i < length; i++) {
      if (counts[i]! > 0 && Math.floor((values[i]! - min) * scale) === bucket) {
        v[j] = values[i]!;
        w[j++] = counts[i]!;
      }
    }
    return selectWeighted(v, w, rank);
  });
}

/**
 * The smallest value whose cumulative count reaches `rank` (a nearest-rank
 * percentile), by quickselect with a three-way partition over values and
 * their counts: linear on average, where sorting millions of distinct values
 * would dominate a run. Reorders `values` and `counts` together.
 */
export function selectWeighted(values: Float64Array, counts: Float64Array, rank: number): number {
  let lo = 0;
  let hi = values.length - 1;
  let remaining = rank;
  while (lo < hi) {
    const pivot = medianOfThree(values[lo]!, values[(lo + hi) >>> 1]!, values[hi]!);
    // [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot.
    let lt = lo;
    let i = lo;
    let gt = hi;
    while (i <= gt) {
      const x = values[i]!;
      if (x < pivot) swap(values, counts, lt++, i++);
      else if (x > pivot) swap(values, counts, i, gt--);
      else i++;
    }
    let below = 0;
    for (let k = lo; k < lt; k++) below += counts[k]!;
    let equal = 0;
    for (let k = lt; k <= gt; k++) equal += counts[k]!;
    if (remaining <= below) hi = lt - 1;
    else if (remaining <= below + equal) return pivot;
    else {
      remaining -= below + equal;
      lo = gt + 1;
    }
  }
  return values[Math.min(lo, values.length - 1)]!;
}

function medianOfThree(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

function swap(values: Float64Array, counts: Float64Array, a: number, b: number): void {
  const v = values[a]!;
  values[a] = values[b]!;
  values[b] = v;
  const c = counts[a]!;
  counts[a] = counts[b]!;
  counts[b] = c;
}
