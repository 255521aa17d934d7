import { describe, expect, it } from 'vitest';
import { priceCatalogue } from '../../../../functions/core/replay-runs/price-catalogue.ts';
import { resolveSide, type AliasRelease } from '../../../../functions/core/replay-runs/routing.ts';
import { silvermanLog, syntheticPerformance, TTFT_FLOOR_SHARE } from '../../../../functions/core/replay-runs/synthetic-performance.ts';
import { toColumns, type TraceEnvelope } from '../../../../functions/core/replay-runs/trace.ts';

const side = (name: string, aliases = new Map<string, AliasRelease>()) => resolveSide('baseline', name, aliases, priceCatalogue);
const one = (trace: TraceEnvelope, repetitions = 100, baseline = 'managed', candidate = 'managed') =>
  syntheticPerformance({ columns: toColumns([trace]), repetitions, baseline: side(baseline), candidate: side(candidate), seed: 42 });

describe('synthetic performance', () => {
  it('with a single source trace generates that trace exactly (no spread to smooth) and prices it by hand', () => {
    const trace = { input_tokens: 10_000, output_tokens: 400, realized_reused_tokens: 4_000, candidate_reuse_tokens: 8_000, ttft_ms: 900 };

    const m = one(trace, 100);

    const p = priceCatalogue.models['openai/gpt-4o'];
    const costB = (6_000 * p.input + 4_000 * p.cachedInput + 400 * p.output) / 1e6;
    const costC = (2_000 * p.input + 8_000 * p.cachedInput + 400 * p.output) / 1e6;
    expect(m.metric_deltas.provider_cost_micros).toMatchObject({ baseline: Math.round(100 * costB), candidate: Math.round(100 * costC) });
    expect(m.synthetic_workload).toMatchObject({ requests: 100, source_traces: 1, bandwidth_log_tokens: { input: 0, output: 0 } });
    // The candidate reads 4,000 fewer uncached tokens at gpt-4o's stated 8,000 tokens/s: 500 ms sooner.
    expect(m.metric_deltas.ttft_ms).toMatchObject({ baseline: { p50: 900 }, candidate: { p50: 400 }, delta: { mean: -500, p50: -500 } });
  });

  it('holds projected TTFT at a tenth of the observed value, and counts how often', () => {
    const m = one({ input_tokens: 100_000, output_tokens: 10, realized_reused_tokens: 0, candidate_reuse_tokens: 100_000, ttft_ms: 1_000 }, 10);

    expect(m.metric_deltas.ttft_ms!.candidate.p50).toBe(1_000 * TTFT_FLOOR_SHARE);
    expect(m.metric_deltas.ttft_ms!.floor_applied).toBe(10);
  });

  it('a side without prefix caching reads every prompt token: its TTFT grows by the realized reuse', () => {
    const m = one({ input_tokens: 8_000, output_tokens: 10, realized_reused_tokens: 4_000, ttft_ms: 600 }, 10, 'managed', 'byoc_no_cache');

    expect(m.metric_deltas.ttft_ms!.delta.mean).toBeCloseTo(500, 6);
    expect(m.metric_deltas.reuse_capture_pct).toEqual({ baseline: 50, candidate: 0 });
  });

  it('is the same for the same seed, different for another, and keeps the source distribution', () => {
    const traces = Array.from({ length: 200 }, (_, i) => ({ input_tokens: 500 + ((i * 37) % 200) * 40, output_tokens: 50 + ((i * 13) % 50) * 8, realized_reused_tokens: ((i * 11) % 20) * 20, ttft_ms: 200 + i }));
    const input = { columns: toColumns(traces), repetitions: 50, baseline: side('managed'), candidate: side('managed_mini') };

    const a = syntheticPerformance({ ...input, seed: 1 });
    const b = syntheticPerformance({ ...input, seed: 1 });
    const c = syntheticPerformance({ ...input, seed: 2 });

    expect(b).toEqual(a);
    expect(c.metric_deltas.provider_cost_micros.baseline).not.toBe(a.metric_deltas.provider_cost_micros.baseline);
    const { mean_input_tokens: inputs, mean_output_tokens: outputs } = a.synthetic_workload;
    // Log-normal smoothing raises means slightly (by exp(h²/2)); within a few percent of the source.
    expect(Math.abs(inputs.synthetic / inputs.source - 1)).toBeLessThan(0.05);
    expect(Math.abs(outputs.synthetic / outputs.source - 1)).toBeLessThan(0.05);
    expect(a.synthetic_workload.bandwidth_log_tokens.input).toBeGreaterThan(0);
    expect(a.confidence_intervals.per_request_cost_savings_micros.n).toBe(10_000);
  });

  it('routes each synthetic request through an alias in its weights, the same draw for both sides', () => {
    const aliases = new Map([['bot', { name: 'bot', version: 1, releases: [{ target: 'openai/gpt-4o', weight: 3 }, { target: 'openai/gpt-4o-mini', weight: 1 }] }]]);
    const traces = Array.from({ length: 40 }, (_, i) => ({ input_tokens: 1_000 + i, output_tokens: 100 }));

    const m = syntheticPerformance({ columns: toColumns(traces), repetitions: 500, baseline: side('bot', aliases), candidate: side('bot', aliases), seed: 9 });

    expect(m.routing_divergence!.rate).toBe(0);
    expect(m.routing_divergence!.target_distribution.baseline['openai/gpt-4o']).toBeCloseTo(0.75, 1);
    expect(m.metric_deltas.ttft_ms).toBeNull();
  });

  it("Silverman's bandwidth: 0 for fewer than two traces, 0.9·σ·n^-1/5 on log tokens", () => {
    expect(silvermanLog(Float64Array.of(100))).toBe(0);
    const tokens = Float64Array.of(Math.E ** 1 - 1, Math.E ** 2 - 1, Math.E ** 3 - 1, Math.E ** 4 - 1);
    // log1p gives 1..4: σ = 1.29, IQR/1.34 = 1.12 (smaller).
    expect(silvermanLog(tokens)).toBeCloseTo(0.9 * (1.5 / 1.34) * 4 ** -0.2, 6);
  });
});
