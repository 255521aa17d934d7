import { replayRunLimits } from './limits.ts';
import type { ResolvedSide } from './routing.ts';
import { round } from './routing-simulation.ts';
import { uint32At, uint32Threshold } from './seeded-random.ts';
import type { TraceColumns } from './trace.ts';
import { summarize, type Summary } from './weighted-statistics.ts';

export type Recommendation = 'baseline' | 'candidate' | 'either';

export interface TokenizedInput {
  columns: TraceColumns;
  repetitions: number;
  baseline: ResolvedSide;
  candidate: ResolvedSide;
  /** Seeds routing of each (trace, repetition); derived from the run id, so a rerun routes the same. */
  seed: number;
}

/**
 * Replays recorded token shapes through both sides' cost models.
 *
 * Every (trace, repetition) is one sample. When a side routes through an
 * alias, each sample is routed by a uniform number from (seed, sample index) —
 * the same number for both sides, so identical policies never diverge — and
 * the samples are tallied per (trace, baseline target, candidate target). A
 * sample's cost depends only on that triple, so statistics run over the
 * distinct values with their counts instead of over millions of samples.
 *
 * Savings are baseline cost − candidate cost: positive means the candidate is cheaper.
 */
export function tokenizedPerformance({ columns, repetitions, baseline, candidate, seed }: TokenizedInput) {
  const traces = columns.length;
  const kb = baseline.choices.length;
  const kc = candidate.choices.length;
  const costB = new Float64Array(traces * kb);
  const cachedB = new Float64Array(traces * kb);
  const costC = new Float64Array(traces * kc);
  const cachedC = new Float64Array(traces * kc);
  priceAll(columns, baseline, columns.realizedReuse, costB, cachedB);
  priceAll(columns, candidate, candidateReuse(columns), costC, cachedC);

  const combos = kb * kc;
  const tallies = new Uint32Array(traces * combos);
  if (combos === 1) {
    tallies.fill(repetitions);
  } else {
    // The hot loop: one draw per (trace, repetition), compared as integers.
    const limitB = Uint32Array.from(baseline.choices, (c) => uint32Threshold(c.cumulative));
    const limitC = Uint32Array.from(candidate.choices, (c) => uint32Threshold(c.cumulative));
    const lastB = kb - 1;
    const lastC = kc - 1;
    for (let i = 0; i < traces; i++) {
      const row = i * combos;
      let index = i * repetitions;
      for (let r = 0; r < repetitions; r++, index++) {
        const u = uint32At(seed, index);
        let b = 0;
        while (b < lastB && u >= limitB[b]!) b++;
        let c = 0;
        while (c < lastC && u >= limitC[c]!) c++;
        tallies[row + b * kc + c]!++;
      }
    }
  }
  const counts = Float64Array.from(tallies);

  const savings = new Float64Array(traces * combos);
  let totalB = 0;
  let totalC = 0;
  let reusedB = 0;
  let reusedC = 0;
  let input = 0;
  let diverged = 0;
  const pickedB = new Float64Array(kb);
  const pickedC = new Float64Array(kc);
  for (let i = 0; i < traces; i++) {
    for (let b = 0; b < kb; b++) {
      for (let c = 0; c < kc; c++) {
        const e = i * combos + b * kc + c;
        const w = counts[e]!;
        if (w === 0) continue;
        const cb = costB[i * kb + b]!;
        const cc = costC[i * kc + c]!;
        savings[e] = cb - cc;
        totalB += w * cb;
        totalC += w * cc;
        reusedB += w * cachedB[i * kb + b]!;
        reusedC += w * cachedC[i * kc + c]!;
        input += w * columns.input[i]!;
        pickedB[b]! += w;
        pickedC[c]! += w;
        if (baseline.choices[b]!.label !== candidate.choices[c]!.label) diverged += w;
      }
    }
  }

  const samples = traces * repetitions;
  const summary = summarize(savings, counts);
  const routed = baseline.aliasRelease !== null || candidate.aliasRelease !== null;
  const distribution = (side: ResolvedSide, picked: Float64Array) =>
    Object.fromEntries(side.choices.map((choice, i) => [choice.label, round(picked[i]! / samples, 4)]));
  const recommended = recommendBySavings(summary, traces);

  return {
    metric_deltas: {
      provider_cost_micros: costDelta(totalB, totalC),
      reuse_capture_pct: reuseCapture(reusedB, reusedC, input),
    },
    confidence_intervals: { per_request_cost_savings_micros: intervalBlock(summary, traces) },
    sample_size: sampleSize(traces, repetitions, samples),
    routing_divergence: routed
      ? { rate: round(diverged / samples, 4), target_distribution: { baseline: distribution(baseline, pickedB), candidate: distribution(candidate, pickedC) } }
      : null,
    recommended_profile: recommended,
    failures: 0,
    dropped: 0,
  };
}

export type TokenizedMetrics = ReturnType<typeof tokenizedPerformance>;

const MIN_REQUESTS = replayRunLimits.minRequestsForInterval;

/** Both sides' total cost (micro-USD) and the candidate's difference from the baseline. */
export function costDelta(baseline: number, candidate: number) {
  return {
    baseline: Math.round(baseline),
    candidate: Math.round(candidate),
    delta: Math.round(candidate) - Math.round(baseline),
    pct: baseline === 0 ? 0 : round(((candidate - baseline) / baseline) * 100, 2),
  };
}

/** The share of input tokens each side read from a cached prefix, in percent. */
export function reuseCapture(reusedB: number, reusedC: number, input: number) {
  return { baseline: input === 0 ? 0 : round((reusedB / input) * 100, 2), candidate: input === 0 ? 0 : round((reusedC / input) * 100, 2) };
}

/** Below the minimum sample an interval would only measure the few requests replayed, not the traffic. */
export function intervalComputed(requests: number): boolean {
  return requests >= MIN_REQUESTS;
}

/** A summary as reports show it: percentiles, and the 95% interval only where the sample allows one. */
export function intervalBlock(summary: Summary, requests: number, digits = 4) {
  const computed = intervalComputed(requests);
  return {
    n: summary.n,
    mean: round(summary.mean, digits),
    p50: round(summary.p50, digits),
    p95: round(summary.p95, digits),
    p99: round(summary.p99, digits),
    ci95_low: computed ? round(summary.ci95_low, digits) : null,
    ci95_high: computed ? round(summary.ci95_high, digits) : null,
    ci95_computed: computed,
  };
}

/** `candidate` when the whole interval of per-request savings is above zero, `baseline` below, else (or on a small sample) `either`. */
export function recommendBySavings(savings: Summary, requests: number): Recommendation {
  if (!intervalComputed(requests)) return 'either';
  return savings.ci95_low > 0 ? 'candidate' : savings.ci95_high < 0 ? 'baseline' : 'either';
}

/** What a report's statistics rest on (`requests`: independent requests, the manifest's traces). */
export function sampleSize(requests: number, repetitions: number, samples: number) {
  return { requests, repetitions, samples, minimum_requests_for_intervals: MIN_REQUESTS };
}

/** The limitation a report states when its metrics rest on too few requests for an interval (none otherwise). */
export function smallSampleNotes(metrics: unknown): string[] {
  const size = (metrics as { sample_size?: { requests?: unknown; minimum_requests_for_intervals?: unknown } } | null)?.sample_size;
  if (typeof size?.requests !== 'number' || typeof size.minimum_requests_for_intervals !== 'number') return [];
  if (size.requests >= size.minimum_requests_for_intervals) return [];
  return [
    `The metrics rest on ${size.requests} request${size.requests === 1 ? '' : 's'}, fewer than the ${size.minimum_requests_for_intervals} a confidence interval needs: ` +
      'no interval is computed and no profile is recommended (either). Replay more traffic for a recommendation.',
  ];
}

/** Cost (micro-USD) and cached input tokens of each trace on each of a side's targets. */
function priceAll(columns: TraceColumns, side: ResolvedSide, reuse: Float64Array, cost: Float64Array, cached: Float64Array) {
  const k = side.choices.length;
  side.choices.forEach((choice, c) => {
    const prices = choice.prices;
    if (!prices) throw new Error(`No prices for ${choice.label}`);
    for (let i = 0; i < columns.length; i++) {
      const hit = side.reusesCachedPrefixes ? reuse[i]! : 0;
      const fresh = columns.input[i]! - hit;
      cost[i * k + c] = (fresh * prices.input + hit * prices.cachedInput + columns.output[i]! * prices.output) / 1_000_000;
      cached[i * k + c] = hit;
    }
  });
}

/** The candidate reuses what the trace says it could, else what was realized. */
function candidateReuse(columns: TraceColumns): Float64Array {
  const out = new Float64Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const own = columns.candidateReuse[i]!;
    out[i] = Number.isNaN(own) ? columns.realizedReuse[i]! : own;
  }
  return out;
}
