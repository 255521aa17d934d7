import type { ResolvedSide } from './routing.ts';
import { round } from './routing-simulation.ts';
import { uint32At, uint32Threshold } from './seeded-random.ts';
import { costDelta, intervalBlock, recommendBySavings, reuseCapture, sampleSize } from './tokenized-performance.ts';
import type { TraceColumns } from './trace.ts';
import { summarize } from './weighted-statistics.ts';

export interface SyntheticInput {
  columns: TraceColumns;
  repetitions: number;
  baseline: ResolvedSide;
  candidate: ResolvedSide;
  /** From the run id: the same run always generates the same workload. */
  seed: number;
}

/**
 * The smoothing kernel: five equal-probability points of a standard normal
 * (the midpoints of its quintiles), rescaled to unit variance. A synthetic
 * request's token counts are its source trace's, times exp(h · z) for a z
 * drawn from these points, so every synthetic request is one of at most 25
 * variants of a trace and statistics can run over counts.
 */
const KERNEL = (() => {
  const points = [-1.2815516, -0.5244005, 0, 0.5244005, 1.2815516];
  const sd = Math.sqrt(points.reduce((sum, z) => sum + z * z, 0) / points.length);
  return points.map((z) => z / sd);
})();
const Q = KERNEL.length;
/** TTFT never drops below this share of the observed value: network, queueing and the first decode step do not shrink with reuse. */
export const TTFT_FLOOR_SHARE = 0.1;

/**
 * Generates a workload of `traces × repetitions` requests from the manifest's
 * empirical joint distribution and projects both sides' cost and TTFT on it.
 *
 * Each synthetic request draws a source trace uniformly (so input tokens,
 * output tokens, reuse and TTFT keep their joint distribution), then smooths
 * input and output tokens independently with a log-normal kernel whose
 * bandwidths follow Silverman's rule on log tokens; reuse keeps its share of
 * the input. A side's TTFT is the source trace's observed TTFT adjusted by the
 * difference in prompt tokens it must read uncached, at the prefill rate of
 * the side's model: fewer uncached tokens (more reuse) mean an earlier first
 * token. Draws come from counter-based streams seeded by the run, and requests
 * are routed as in tokenized_performance (one draw, both sides).
 */
export function syntheticPerformance({ columns, repetitions, baseline, candidate, seed }: SyntheticInput) {
  const traces = columns.length;
  const requests = traces * repetitions;
  const kb = baseline.choices.length;
  const kc = candidate.choices.length;
  const hIn = silvermanLog(columns.input);
  const hOut = silvermanLog(columns.output);
  const factorIn = KERNEL.map((z) => Math.exp(hIn * z));
  const factorOut = KERNEL.map((z) => Math.exp(hOut * z));

  // Cells: (trace, input variant, output variant, baseline target, candidate target).
  const perTrace = Q * Q * kb * kc;
  const tallies = new Uint32Array(traces * perTrace);
  const drawSeed = uint32At(seed, 1);
  const routeSeed = uint32At(seed, 3);
  const limitB = Uint32Array.from(baseline.choices, (c) => uint32Threshold(c.cumulative));
  const limitC = Uint32Array.from(candidate.choices, (c) => uint32Threshold(c.cumulative));
  const lastB = kb - 1;
  const lastC = kc - 1;
  const routed = kb * kc > 1;
  for (let k = 0; k < requests; k++) {
    // One draw picks the source trace (its high bits) and the token variants (its low 16 bits).
    const draw = uint32At(drawSeed, k);
    const i = Math.floor((draw * traces) / 4_294_967_296);
    const v = (draw & 0xffff) % (Q * Q);
    const a = v % Q;
    const b = (v - a) / Q;
    let cb = 0;
    let cc = 0;
    if (routed) {
      const u = uint32At(routeSeed, k);
      while (cb < lastB && u >= limitB[cb]!) cb++;
      while (cc < lastC && u >= limitC[cc]!) cc++;
    }
    tallies[i * perTrace + ((a * Q + b) * kb + cb) * kc + cc]!++;
  }

  const cells = tallies.length;
  const counts = new Float64Array(cells);
  const savings = new Float64Array(cells);
  const ttftB = new Float64Array(cells);
  const ttftC = new Float64Array(cells);
  const ttftDelta = new Float64Array(cells);
  const ttftCounts = new Float64Array(cells);
  let totalB = 0;
  let totalC = 0;
  let reusedB = 0;
  let reusedC = 0;
  let inputTotal = 0;
  let outputTotal = 0;
  let diverged = 0;
  let floored = 0;
  let withTtft = 0;
  const pickedB = new Float64Array(kb);
  const pickedC = new Float64Array(kc);
  const costOf = (prices: NonNullable<ResolvedSide['choices'][number]['prices']>, input: number, cached: number, output: number) =>
    ((input - cached) * prices.input + cached * prices.cachedInput + output * prices.output) / 1_000_000;

  for (let i = 0; i < traces; i++) {
    const input = columns.input[i]!;
    const realized = columns.realizedReuse[i]!;
    const ownCandidate = columns.candidateReuse[i]!;
    const candidateReuse = Number.isNaN(ownCandidate) ? realized : ownCandidate;
    const observedTtft = columns.ttft[i]!;
    const hasTtft = !Number.isNaN(observedTtft);
    const observedFresh = input - realized;
    for (let a = 0; a < Q; a++) {
      const inJ = Math.round(input * factorIn[a]!);
      const share = input === 0 ? 0 : inJ / input;
      const reuseB = baseline.reusesCachedPrefixes ? Math.min(inJ, Math.round(realized * share)) : 0;
      const reuseC = candidate.reusesCachedPrefixes ? Math.min(inJ, Math.round(candidateReuse * share)) : 0;
      for (let b = 0; b < Q; b++) {
        const outJ = Math.round(columns.output[i]! * factorOut[b]!);
        for (let x = 0; x < kb; x++) {
          const choiceB = baseline.choices[x]!;
          for (let y = 0; y < kc; y++) {
            const e = i * perTrace + ((a * Q + b) * kb + x) * kc + y;
            const w = tallies[e]!;
            if (w === 0) continue;
            const choiceC = candidate.choices[y]!;
            const costB = costOf(choiceB.prices!, inJ, reuseB, outJ);
            const costC = costOf(choiceC.prices!, inJ, reuseC, outJ);
            counts[e] = w;
            savings[e] = costB - costC;
            totalB += w * costB;
            totalC += w * costC;
            reusedB += w * reuseB;
            reusedC += w * reuseC;
            inputTotal += w * inJ;
            outputTotal += w * outJ;
            pickedB[x]! += w;
            pickedC[y]! += w;
            if (choiceB.label !== choiceC.label) diverged += w;
            if (hasTtft) {
              const floor = observedTtft * TTFT_FLOOR_SHARE;
              const rawB = observedTtft + (((inJ - reuseB) - observedFresh) / choiceB.prices!.prefillTokensPerSecond) * 1000;
              const rawC = observedTtft + (((inJ - reuseC) - observedFresh) / choiceC.prices!.prefillTokensPerSecond) * 1000;
              if (rawB < floor) floored += w;
              if (rawC < floor) floored += w;
              ttftB[e] = Math.max(floor, rawB);
              ttftC[e] = Math.max(floor, rawC);
              ttftDelta[e] = ttftC[e]! - ttftB[e]!;
              ttftCounts[e] = w;
              withTtft += w;
            }
          }
        }
      }
    }
  }

  const savingsSummary = summarize(savings, counts);
  const sourceInput = sumOf(columns.input);
  const sourceOutput = sumOf(columns.output);
  const tracesWithTtft = columns.ttft.reduce((n, t) => (Number.isNaN(t) ? n : n + 1), 0);
  const ttft =
    withTtft === 0
      ? null
      : {
          baseline: percentiles(summarize(ttftB, ttftCounts)),
          candidate: percentiles(summarize(ttftC, ttftCounts)),
          delta: intervalBlock(summarize(ttftDelta, ttftCounts), tracesWithTtft, 2),
          requests_projected: withTtft,
          floor_applied: floored,
        };
  const distribution = (side: ResolvedSide, picked: Float64Array) =>
    Object.fromEntries(side.choices.map((choice, i) => [choice.label, round(picked[i]! / requests, 4)]));

  return {
    metric_deltas: {
      provider_cost_micros: costDelta(totalB, totalC),
      reuse_capture_pct: reuseCapture(reusedB, reusedC, inputTotal),
      ttft_ms: ttft,
    },
    confidence_intervals: {
      per_request_cost_savings_micros: intervalBlock(savingsSummary, traces),
      per_request_ttft_delta_ms: ttft?.delta ?? null,
    },
    synthetic_workload: {
      requests,
      source_traces: traces,
      source_traces_with_ttft: tracesWithTtft,
      kernel: `log-normal, ${Q} equal-probability points`,
      bandwidth_log_tokens: { input: round(hIn, 4), output: round(hOut, 4) },
      mean_input_tokens: { source: round(sourceInput / Math.max(1, traces), 2), synthetic: round(inputTotal / Math.max(1, requests), 2) },
      mean_output_tokens: { source: round(sourceOutput / Math.max(1, traces), 2), synthetic: round(outputTotal / Math.max(1, requests), 2) },
    },
    sample_size: sampleSize(traces, repetitions, requests),
    routing_divergence: baseline.aliasRelease !== null || candidate.aliasRelease !== null
      ? { rate: round(diverged / requests, 4), target_distribution: { baseline: distribution(baseline, pickedB), candidate: distribution(candidate, pickedC) } }
      : null,
    recommended_profile: recommendBySavings(savingsSummary, traces),
    failures: 0,
    dropped: 0,
  };
}

function percentiles(summary: ReturnType<typeof summarize>) {
  return { mean: round(summary.mean, 2), p50: round(summary.p50, 2), p95: round(summary.p95, 2), p99: round(summary.p99, 2) };
}

function sumOf(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum;
}

/**
 * Silverman's rule of thumb for the bandwidth of a Gaussian kernel on
 * log(1 + tokens): 0.9 · min(σ, IQR/1.34) · n^(-1/5), σ when the IQR is 0.
 */
export function silvermanLog(tokens: Float64Array): number {
  const n = tokens.length;
  if (n < 2) return 0;
  const logs = Float64Array.from(tokens, (t) => Math.log1p(t)).sort();
  const mean = logs.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(logs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const quantile = (p: number) => {
    const at = p * (n - 1);
    const lo = Math.floor(at);
    return logs[lo]! + (logs[Math.min(n - 1, lo + 1)]! - logs[lo]!) * (at - lo);
  };
  const iqr = (quantile(0.75) - quantile(0.25)) / 1.34;
  const spread = iqr > 0 ? Math.min(sd, iqr) : sd;
  return 0.9 * spread * n ** -0.2;
}
