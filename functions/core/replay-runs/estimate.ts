import { estimateSpendMicros, microsToUsd } from './full-fidelity/budget.ts';
import type { RunRecord } from './replay-run.ts';
import type { ResolvedSide } from './routing.ts';
import type { TraceEnvelope } from './trace.ts';

/** A request's latency a full-fidelity estimate assumes when the manifest records none (ms). */
export const DEFAULT_REQUEST_LATENCY_MS = 2_000;
/** Rough cost of the local computation per sample (ns) and the queue hop of a background run (s). */
const NS_PER_SAMPLE = 50;
const QUEUE_OVERHEAD_S = 1;

/** The interval of a total over `n` independent samples of a per-request distribution. */
interface CostEstimate {
  expected_usd: number;
  ci95_low_usd: number;
  ci95_high_usd: number;
}

/**
 * What a dry run answers: the run as it would be created (both sides
 * resolved), its manifest summary, the cost of its traffic per side with a
 * 95% interval, the spend it may reach against its budget (full fidelity),
 * and how long it should take.
 */
export function estimateRun(record: RunRecord, traces: readonly TraceEnvelope[]) {
  const { run, resolved } = record;
  const requests = run.manifest_size * run.repetitions;
  const costed = run.replay_class === 'tokenized_performance' || run.replay_class === 'synthetic_performance' || run.replay_class === 'full_fidelity_evaluation';
  const cost = costed
    ? {
        baseline: sideCost(traces, run.repetitions, resolved.baseline, 'baseline', run.replay_class === 'synthetic_performance'),
        candidate: sideCost(traces, run.repetitions, resolved.candidate, 'candidate', run.replay_class === 'synthetic_performance'),
      }
    : null;
  const ff = record.fullFidelity;
  const spend = ff
    ? (() => {
        const estimate = estimateSpendMicros(traces, run.repetitions, resolved, ff.options.maxOutputTokens);
        return {
          max_spend_usd: microsToUsd(ff.options.maxSpendMicros),
          budget_source: ff.options.budgetSource,
          max_output_tokens: ff.options.maxOutputTokens,
          estimated_spend_usd: microsToUsd(estimate.total),
          within_budget: estimate.total <= ff.options.maxSpendMicros,
        };
      })()
    : null;
  return {
    object: 'replay_run_estimate' as const,
    dry_run: true as const,
    project_id: run.project_id,
    replay_class: run.replay_class,
    baseline: run.baseline,
    candidate: run.candidate,
    resolved: { baseline: sideOf(resolved.baseline), candidate: sideOf(resolved.candidate) },
    traffic_manifest: record.manifestSummary,
    repetitions: run.repetitions,
    concurrency: run.concurrency,
    scheduled_for: run.scheduled_for,
    requests,
    estimated_cost: cost,
    spend,
    chunks: ff ? { chunks: ff.plan.chunks, pairs_per_chunk: ff.plan.chunkPairs, lanes: ff.plan.lanes } : null,
    estimated_duration_s: durationOf(record, traces),
  };
}

export type RunEstimate = ReturnType<typeof estimateRun>;

function sideOf(side: ResolvedSide) {
  let previous = 0;
  return {
    kind: side.kind,
    alias_release: side.aliasRelease,
    reuses_cached_prefixes: side.reusesCachedPrefixes,
    targets: side.choices.map((choice) => {
      const share = choice.cumulative - previous;
      previous = choice.cumulative;
      return { target: choice.label, share: Math.round(share * 10_000) / 10_000, priced: choice.prices !== undefined };
    }),
  };
}

/**
 * A side's cost of the run's traffic at list prices, with the cached-input
 * rules of the cost classes: expected value over its routing shares, and a
 * 95% interval from the spread of per-request cost — routing alone for
 * replays of the recorded traffic, routing and resampling for a synthetic
 * workload (each request an independent draw from the manifest).
 */
function sideCost(traces: readonly TraceEnvelope[], repetitions: number, side: ResolvedSide, which: 'baseline' | 'candidate', resampled: boolean): CostEstimate {
  let mean = 0;
  let routingVariance = 0;
  let squares = 0;
  for (const trace of traces) {
    const reusable = which === 'candidate' ? (trace.candidate_reuse_tokens ?? trace.realized_reused_tokens ?? 0) : (trace.realized_reused_tokens ?? 0);
    const hit = side.reusesCachedPrefixes ? Math.min(reusable, trace.input_tokens) : 0;
    let previous = 0;
    let expected = 0;
    let second = 0;
    for (const choice of side.choices) {
      const share = choice.cumulative - previous;
      previous = choice.cumulative;
      const p = choice.prices;
      if (!p) continue;
      const cost = ((trace.input_tokens - hit) * p.input + hit * p.cachedInput + trace.output_tokens * p.output) / 1_000_000;
      expected += share * cost;
      second += share * cost * cost;
    }
    mean += expected;
    routingVariance += second - expected * expected;
    squares += second;
  }
  const n = traces.length;
  const total = mean * repetitions;
  const perRequestMean = n ? mean / n : 0;
  // Resampled: every request a draw from the whole manifest; replayed: each trace exactly `repetitions` times.
  const variance = resampled ? n * repetitions * Math.max(0, (n ? squares / n : 0) - perRequestMean ** 2) : repetitions * Math.max(0, routingVariance);
  const half = 1.96 * Math.sqrt(variance);
  return { expected_usd: microsToUsd(total), ci95_low_usd: microsToUsd(Math.max(0, total - half)), ci95_high_usd: microsToUsd(total + half) };
}

function durationOf(record: RunRecord, traces: readonly TraceEnvelope[]): number {
  const { run } = record;
  const samples = run.manifest_size * run.repetitions;
  switch (run.replay_class) {
    case 'routing_simulation':
      return 0;
    case 'purge_verification':
      return QUEUE_OVERHEAD_S;
    case 'full_fidelity_evaluation': {
      const latencies = traces.flatMap((t) => (t.latency_ms === undefined ? [] : [t.latency_ms])).sort((a, b) => a - b);
      const latencyMs = latencies.length ? latencies[Math.floor(latencies.length / 2)]! : DEFAULT_REQUEST_LATENCY_MS;
      const inFlight = record.fullFidelity!.plan.inFlight.reduce((sum, n) => sum + n, 0);
      return Math.ceil(QUEUE_OVERHEAD_S + (samples * 2 * latencyMs) / 1000 / Math.max(1, inFlight));
    }
    default:
      return Math.ceil(QUEUE_OVERHEAD_S + (samples * NS_PER_SAMPLE) / 1e9);
  }
}
