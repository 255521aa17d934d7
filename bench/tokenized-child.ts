/**
 * One measurement in a fresh process, so its peak RSS is its own:
 *   compute  tokenized_performance over the bench manifest (an alias on the baseline side)
 *   synthetic synthetic_performance over the same manifest and sides (5 M synthetic requests)
 *   bare     the least code that computes the same sums: one loop drawing and routing
 *            every sample and adding up its costs (it must reproduce compute's totals)
 *   floor    summing two pre-materialised per-sample cost arrays (memory bandwidth)
 *   idle     loads the same modules and builds the manifest, computes nothing (RSS floor)
 * Each mode runs 3 unmeasured warm-up rounds (JIT) and 9 measured ones.
 * Prints one JSON line: {ms (median), maxRssMb, totals}.
 */
import { performance } from 'node:perf_hooks';
import { priceCatalogue } from '../functions/core/replay-runs/price-catalogue.ts';
import { resolveSide } from '../functions/core/replay-runs/routing.ts';
import { uniformAt } from '../functions/core/replay-runs/seeded-random.ts';
import { syntheticPerformance } from '../functions/core/replay-runs/synthetic-performance.ts';
import { tokenizedPerformance } from '../functions/core/replay-runs/tokenized-performance.ts';
import { toColumns } from '../functions/core/replay-runs/trace.ts';
import { median } from './harness.ts';
import { REPETITIONS, SEED, TRACES, benchAliases, benchManifest } from './tokenized-manifest.ts';

const WARMUP = 3;
const ROUNDS = 9;

/** The median time of `run` over the measured rounds, and the totals it returned. */
function timed(run: () => number[]): { ms: number; totals: number[] } {
  let totals: number[] = [];
  const times: number[] = [];
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const started = performance.now();
    totals = run();
    if (round >= WARMUP) times.push(performance.now() - started);
  }
  return { ms: median(times), totals };
}

const mode = process.argv[2];
if (mode) {
  const columns = toColumns(benchManifest());
  const baseline = resolveSide('baseline', 'support-bot', benchAliases, priceCatalogue);
  const candidate = resolveSide('candidate', 'byoc_us_east', benchAliases, priceCatalogue);
  let result: { ms: number; totals: number[] } = { ms: 0, totals: [] };
  if (mode === 'compute') {
    result = timed(() => {
      const m = tokenizedPerformance({ columns, repetitions: REPETITIONS, baseline, candidate, seed: SEED });
      return [m.metric_deltas.provider_cost_micros.baseline, m.metric_deltas.provider_cost_micros.candidate];
    });
  } else if (mode === 'synthetic') {
    result = timed(() => {
      const m = syntheticPerformance({ columns, repetitions: REPETITIONS, baseline, candidate, seed: SEED });
      return [m.metric_deltas.provider_cost_micros.baseline, m.metric_deltas.provider_cost_micros.candidate, m.synthetic_workload.requests];
    });
  } else if (mode === 'bare') {
    // Per-trace costs on each target (both sides' list prices and reuse), then one routed pass.
    const costOn = (side: typeof baseline, reuseOf: (i: number) => number) =>
      side.choices.map((choice) =>
        Float64Array.from({ length: TRACES }, (_, i) => {
          const hit = side.reusesCachedPrefixes ? reuseOf(i) : 0;
          const p = choice.prices!;
          return ((columns.input[i]! - hit) * p.input + hit * p.cachedInput + columns.output[i]! * p.output) / 1_000_000;
        }),
      );
    const costsB = costOn(baseline, (i) => columns.realizedReuse[i]!);
    const costsC = costOn(candidate, (i) => (Number.isNaN(columns.candidateReuse[i]!) ? columns.realizedReuse[i]! : columns.candidateReuse[i]!));
    const cumB = baseline.choices.map((c) => c.cumulative);
    const cumC = candidate.choices.map((c) => c.cumulative);
    result = timed(() => {
      let sumB = 0;
      let sumC = 0;
      let sumS = 0;
      let sumSq = 0;
      for (let i = 0; i < TRACES; i++) {
        for (let r = 0; r < REPETITIONS; r++) {
          const u = uniformAt(SEED, i * REPETITIONS + r);
          let b = 0;
          while (u >= cumB[b]! && b < cumB.length - 1) b++;
          let c = 0;
          while (u >= cumC[c]! && c < cumC.length - 1) c++;
          const cb = costsB[b]![i]!;
          const cc = costsC[c]![i]!;
          sumB += cb;
          sumC += cc;
          sumS += cb - cc;
          sumSq += (cb - cc) * (cb - cc);
        }
      }
      return [Math.round(sumB), Math.round(sumC), sumS, sumSq];
    });
  } else if (mode === 'floor') {
    const n = TRACES * REPETITIONS;
    const costB = new Float64Array(n);
    const costC = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      costB[i] = (i % 97) * 0.5;
      costC[i] = (i % 89) * 0.5;
    }
    result = timed(() => {
      let sumB = 0;
      let sumC = 0;
      let sumS = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        const b = costB[i]!;
        const c = costC[i]!;
        sumB += b;
        sumC += c;
        sumS += b - c;
        sumSq += (b - c) * (b - c);
      }
      return [sumB, sumC, sumS, sumSq];
    });
  } else if (mode !== 'idle') {
    throw new Error(`unknown mode ${mode}`);
  }
  console.log(JSON.stringify({ ...result, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}
