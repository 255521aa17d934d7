import { describe, expect, it } from 'vitest';
import { replayRunLimits } from '../../../../functions/core/replay-runs/limits.ts';
import { priceCatalogue } from '../../../../functions/core/replay-runs/price-catalogue.ts';
import { resolveSide, type AliasRelease } from '../../../../functions/core/replay-runs/routing.ts';
import { smallSampleNotes, tokenizedPerformance } from '../../../../functions/core/replay-runs/tokenized-performance.ts';
import { toColumns, type TraceEnvelope } from '../../../../functions/core/replay-runs/trace.ts';
import { summarize } from '../../../../functions/core/replay-runs/weighted-statistics.ts';

const none = new Map<string, AliasRelease>();
const side = (name: string, aliases = none) => resolveSide('baseline', name, aliases, priceCatalogue);
const traces: TraceEnvelope[] = [
  { input_tokens: 1_000, output_tokens: 200, realized_reused_tokens: 600 },
  { input_tokens: 4_000, output_tokens: 100, realized_reused_tokens: 0, candidate_reuse_tokens: 3_000 },
  { input_tokens: 500, output_tokens: 500 },
];

/** The traces repeated up to the minimum sample for an interval. */
const thirty = (some: TraceEnvelope[]) => Array.from({ length: replayRunLimits.minRequestsForInterval }, (_, i) => some[i % some.length]!);

/** Cost in micro-USD, priced by hand from the catalogue. */
function cost(model: keyof typeof priceCatalogue.models, trace: TraceEnvelope, cached: number) {
  const p = priceCatalogue.models[model];
  return ((trace.input_tokens - cached) * p.input + cached * p.cachedInput + trace.output_tokens * p.output) / 1_000_000;
}

describe('tokenized performance', () => {
  it('prices each trace on both sides with their own reuse, as computed by hand', () => {
    const metrics = tokenizedPerformance({ columns: toColumns(traces), repetitions: 1, baseline: side('managed'), candidate: side('managed_mini'), seed: 1 });

    const baseline = cost('openai/gpt-4o', traces[0]!, 600) + cost('openai/gpt-4o', traces[1]!, 0) + cost('openai/gpt-4o', traces[2]!, 0);
    const candidate = cost('openai/gpt-4o-mini', traces[0]!, 600) + cost('openai/gpt-4o-mini', traces[1]!, 3_000) + cost('openai/gpt-4o-mini', traces[2]!, 0);
    expect(metrics.metric_deltas.provider_cost_micros).toEqual({
      baseline: Math.round(baseline),
      candidate: Math.round(candidate),
      delta: Math.round(candidate) - Math.round(baseline),
      pct: Math.round(((candidate - baseline) / baseline) * 10_000) / 100,
    });
    expect(metrics.metric_deltas.reuse_capture_pct).toEqual({ baseline: Math.round((600 / 5_500) * 10_000) / 100, candidate: Math.round((3_600 / 5_500) * 10_000) / 100 });
    expect(metrics.confidence_intervals.per_request_cost_savings_micros.n).toBe(3);
    expect(metrics.routing_divergence).toBeNull();
  });

  it('computes no interval and recommends either below the minimum sample, and says what it rests on', () => {
    const metrics = tokenizedPerformance({ columns: toColumns(traces), repetitions: 1_000, baseline: side('managed'), candidate: side('managed_mini'), seed: 1 });

    expect(metrics.confidence_intervals.per_request_cost_savings_micros).toMatchObject({ n: 3_000, ci95_low: null, ci95_high: null, ci95_computed: false });
    expect(metrics.sample_size).toEqual({ requests: 3, repetitions: 1_000, samples: 3_000, minimum_requests_for_intervals: replayRunLimits.minRequestsForInterval });
    expect(metrics.recommended_profile).toBe('either');
    expect(smallSampleNotes(metrics)).toEqual([expect.stringContaining('3 requests, fewer than the 30')]);
  });

  it('computes the interval and recommends from the minimum sample on', () => {
    const metrics = tokenizedPerformance({ columns: toColumns(thirty(traces)), repetitions: 1, baseline: side('managed'), candidate: side('managed_mini'), seed: 1 });

    expect(metrics.confidence_intervals.per_request_cost_savings_micros).toMatchObject({ n: 30, ci95_low: expect.any(Number), ci95_computed: true });
    expect(metrics.recommended_profile).toBe('candidate');
    expect(smallSampleNotes(metrics)).toEqual([]);
  });

  it('does not reuse cached prefixes on a side whose profile cannot', () => {
    const metrics = tokenizedPerformance({ columns: toColumns(thirty(traces)), repetitions: 1, baseline: side('managed'), candidate: side('byoc_no_cache'), seed: 1 });
    expect(metrics.metric_deltas.reuse_capture_pct.candidate).toBe(0);
    expect(metrics.metric_deltas.provider_cost_micros.delta).toBeGreaterThan(0);
    expect(metrics.recommended_profile).toBe('baseline');
  });

  // Without candidate_reuse_tokens (which only the candidate side gets), identical sides cost the same.
  const plain = traces.map(({ candidate_reuse_tokens: _candidate, ...trace }) => trace);

  it('recommends either when the sides cost the same, and baseline when the candidate costs more for sure', () => {
    const same = tokenizedPerformance({ columns: toColumns(thirty(plain)), repetitions: 5, baseline: side('managed'), candidate: side('managed'), seed: 1 });
    expect(same.metric_deltas.provider_cost_micros.delta).toBe(0);
    expect(same.confidence_intervals.per_request_cost_savings_micros).toMatchObject({ n: 150, mean: 0, ci95_low: 0, ci95_high: 0 });
    expect(same.recommended_profile).toBe('either');
    const dearer = tokenizedPerformance({ columns: toColumns(thirty(traces)), repetitions: 2, baseline: side('managed_mini'), candidate: side('byoc_us_east'), seed: 1 });
    expect(dearer.recommended_profile).toBe('baseline');
  });

  it('routes each repetition through an alias, deterministically, with the same draw on both sides', () => {
    const aliases = new Map([['bot', { name: 'bot', version: 2, releases: [{ target: 'openai/gpt-4o', weight: 1 }, { target: 'openai/gpt-4o-mini', weight: 1 }] }]]);
    const input = { columns: toColumns(plain), repetitions: 1_000, baseline: side('bot', aliases), candidate: side('managed'), seed: 99 };

    const metrics = tokenizedPerformance(input);

    expect(metrics.confidence_intervals.per_request_cost_savings_micros.n).toBe(3_000);
    expect(metrics.routing_divergence?.rate).toBeCloseTo(0.5, 1);
    expect(metrics.routing_divergence?.target_distribution.baseline['openai/gpt-4o']).toBeCloseTo(0.5, 1);
    expect(tokenizedPerformance(input)).toEqual(metrics);
    const mirrored = tokenizedPerformance({ ...input, candidate: side('bot', aliases) });
    expect(mirrored.routing_divergence?.rate).toBe(0);
    expect(mirrored.metric_deltas.provider_cost_micros.delta).toBe(0);
  });
});

describe('weighted statistics', () => {
  it('give the mean, nearest-rank percentiles and a 95% interval of weighted values', () => {
    // 1 ×10, 2 ×80, 100 ×10: n = 100.
    const summary = summarize(Float64Array.from([100, 1, 2]), Float64Array.from([10, 10, 80]));
    expect(summary.n).toBe(100);
    expect(summary.mean).toBeCloseTo(11.7, 10);
    expect([summary.p50, summary.p95, summary.p99]).toEqual([2, 100, 100]);
    const sd = Math.sqrt((10 * (1 - 11.7) ** 2 + 80 * (2 - 11.7) ** 2 + 10 * (100 - 11.7) ** 2) / 99);
    expect(summary.ci95_high - summary.mean).toBeCloseTo((1.96 * sd) / 10, 10);
    expect(summary.mean - summary.ci95_low).toBeCloseTo((1.96 * sd) / 10, 10);
  });

  it('skip zero weights and survive no samples', () => {
    expect(summarize(Float64Array.from([5, -1]), Float64Array.from([0, 3]))).toMatchObject({ n: 3, mean: -1, p50: -1, p99: -1 });
    expect(summarize(new Float64Array(0), new Float64Array(0))).toMatchObject({ n: 0, mean: 0 });
  });
});
