import { round } from '../routing-simulation.ts';
import { costDelta, intervalBlock, recommendBySavings, sampleSize } from '../tokenized-performance.ts';
import { summarize } from '../weighted-statistics.ts';
import { microsToUsd } from './budget.ts';
import type { ChunkOutcome, PairOutcome, SideOutcome } from './execute-chunk.ts';
import { fullFidelityLimits as L, type FullFidelityOptions } from './options.ts';

export interface SpendState {
  /** The budget estimate made at create. */
  estimatedMicros: number;
  /** Spend as counted by the run (actual usage, plus reservations of chunks whose worker stopped). */
  spentMicros: number;
  budgetStopped: boolean;
}

/**
 * The metrics of a full-fidelity run from its chunks' results. Latency, TTFT,
 * output rate, cost and divergence compare the two sides over the pairs where
 * both answered; failures and dropped pairs are counted, with their reasons.
 */
export function aggregateFullFidelity(chunks: readonly ChunkOutcome[], run: { repetitions: number; options: FullFidelityOptions; spend: SpendState }) {
  const pairs = chunks.flatMap((c) => c.pairs);
  const ok = pairs.filter((p): p is PairOutcome & { baseline: SideOutcome; candidate: SideOutcome } => p.status === 'ok');
  const failures = pairs.filter((p) => p.status === 'failed').length;
  const dropped = pairs.filter((p) => p.status === 'dropped').length;
  const n = ok.length;
  const column = (pick: (p: (typeof ok)[number]) => number | null) => {
    const values = new Float64Array(n);
    const counts = new Float64Array(n);
    ok.forEach((p, i) => {
      const v = pick(p);
      if (v !== null && Number.isFinite(v)) {
        values[i] = v;
        counts[i] = 1;
      }
    });
    return { values, counts, any: counts.some((c) => c > 0) };
  };
  const traces = new Set(ok.map((p) => p.trace)).size;
  const compare = (of: (side: SideOutcome) => number | null, digits: number) => {
    const b = column((p) => of(p.baseline));
    const c = column((p) => of(p.candidate));
    const d = column((p) => {
      const x = of(p.baseline);
      const y = of(p.candidate);
      return x === null || y === null ? null : y - x;
    });
    if (!b.any && !c.any) return null;
    return {
      baseline: spread(summarize(b.values, b.counts), digits),
      candidate: spread(summarize(c.values, c.counts), digits),
      delta: intervalBlock(summarize(d.values, d.counts), traces, digits),
    };
  };

  let costB = 0;
  let costC = 0;
  for (const p of ok) {
    costB += p.baseline.cost_micros;
    costC += p.candidate.cost_micros;
  }
  const savings = column((p) => p.baseline.cost_micros - p.candidate.cost_micros);
  const savingsSummary = summarize(savings.values, savings.counts);
  const latency = compare((s) => s.latency_ms, 2);
  const ttft = compare((s) => s.ttft_ms, 2);
  const rate = compare((s) => s.output_tokens_per_s, 2);
  const similarityColumn = column((p) => p.similarity);
  const similarity = summarize(similarityColumn.values, similarityColumn.counts);

  const reasons: Record<string, number> = {};
  const firstFailures: { trace_index: number; repetition: number; status: string; reason: string; message: string | null }[] = [];
  for (const chunk of chunks) {
    for (const p of chunk.pairs) {
      if (p.status === 'ok') continue;
      const reason = p.reason ?? 'unknown';
      reasons[reason] = (reasons[reason] ?? 0) + 1;
      if (firstFailures.length < L.maxListedFailures) {
        const message = p.baseline?.message ?? p.candidate?.message ?? chunk.note ?? null;
        firstFailures.push({ trace_index: p.trace, repetition: p.repetition, status: p.status, reason, message });
      }
    }
  }
  const served = (side: 'baseline' | 'candidate') => [...new Set(ok.map((p) => p[side].served_model).filter((m): m is string => Boolean(m)))].sort().slice(0, 10);
  const requests = chunks.reduce(
    (sum, c) => ({ sent: sum.sent + c.requests.sent, failed: sum.failed + c.requests.failed, retried: sum.retried + c.requests.retried, without_usage: sum.without_usage + c.requests.without_usage }),
    { sent: 0, failed: 0, retried: 0, without_usage: 0 },
  );
  const budget = run.options.maxSpendMicros;
  const { spend } = run;

  return {
    metric_deltas: {
      provider_cost_micros: costDelta(costB, costC),
      latency_ms: latency,
      ttft_ms: ttft,
      output_tokens_per_s: rate,
    },
    output_divergence:
      n === 0
        ? null
        : {
            pairs_compared: n,
            exact_match_rate: round(ok.filter((p) => p.exact_match).length / n, 4),
            similarity: { metric: 'token_f1', ...intervalBlock(similarity, traces, 4) },
          },
    confidence_intervals: {
      per_request_cost_savings_micros: intervalBlock(savingsSummary, traces),
      per_request_latency_delta_ms: latency?.delta ?? null,
      per_request_ttft_delta_ms: ttft?.delta ?? null,
    },
    spend: {
      max_spend_usd: microsToUsd(budget),
      budget_source: run.options.budgetSource,
      estimated_spend_usd: microsToUsd(spend.estimatedMicros),
      spent_usd: microsToUsd(spend.spentMicros),
      stopped_by_budget: spend.budgetStopped,
      exceeded_by_usd: microsToUsd(Math.max(0, spend.spentMicros - budget)),
    },
    requests,
    max_in_flight_in_one_chunk: Math.max(0, ...chunks.map((c) => c.maxInFlight)),
    failure_reasons: reasons,
    first_failures: firstFailures,
    served_models: { baseline: served('baseline'), candidate: served('candidate') },
    sample_size: sampleSize(traces, run.repetitions, n),
    recommended_profile: recommendBySavings(savingsSummary, traces),
    failures,
    dropped,
  };
}

export type FullFidelityMetrics = ReturnType<typeof aggregateFullFidelity>;

function spread(summary: ReturnType<typeof summarize>, digits: number) {
  return { n: summary.n, mean: round(summary.mean, digits), p50: round(summary.p50, digits), p95: round(summary.p95, digits), p99: round(summary.p99, digits) };
}
