import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceCatalogue } from '../../../functions/core/replay-runs/price-catalogue.ts';
import { resolveSide } from '../../../functions/core/replay-runs/routing.ts';
import { seedFrom } from '../../../functions/core/replay-runs/seeded-random.ts';
import { syntheticPerformance } from '../../../functions/core/replay-runs/synthetic-performance.ts';
import { toColumns } from '../../../functions/core/replay-runs/trace.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { deliver, HOUR, isoIn, tenantApi, type Api } from './support.ts';

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

/** 40 traces with TTFT, reuse and spread token counts; the candidate could reuse more than was realized. */
const traces = Array.from({ length: 40 }, (_, i) => ({
  input_tokens: 2_000 + 250 * i,
  output_tokens: 150 + 10 * (i % 7),
  realized_reused_tokens: 500 + 20 * i,
  candidate_reuse_tokens: 1_500 + 20 * i,
  ttft_ms: 300 + 5 * i,
}));

async function createSynthetic(api: Api, body: Record<string, unknown> = {}) {
  // Scheduled ahead: no message on the shared runs queue, only this file's deliveries run it.
  const response = await api.post('/v2/replay-runs', {
    baseline: 'managed',
    candidate: 'managed',
    replay_class: 'synthetic_performance',
    traces,
    repetitions: 50,
    scheduled_for: isoIn(HOUR),
    ...body,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

describe('synthetic_performance', () => {
  it('goes queued → completed and projects cost and TTFT that the report signs and verification accepts', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'synthetic');
    const created = await createSynthetic(api);
    expect(created).toMatchObject({ status: 'queued', replay_class: 'synthetic_performance', manifest_size: 40, repetitions: 50, max_spend_usd: null, progress: null });

    // Act
    const delivered = await deliver(tenant.projectId, created.id);
    const run = (await api.get(`/v2/replay-runs/${created.id}`)).body;
    const report = (await api.get(`/v2/replay-runs/${created.id}/report`)).body;
    const verified = await api.post('/v2/replay-reports/verify', report);

    // Assess
    expect(delivered.batchItemFailures).toEqual([]);
    expect(run.status, run.failure_reason).toBe('completed');
    const m = run.metrics;
    expect(m.synthetic_workload).toMatchObject({ requests: 2_000, source_traces: 40, source_traces_with_ttft: 40 });
    // The same side twice: equal cost, but the candidate reuses more of each prompt, so it reads fewer tokens before its first one.
    expect(m.metric_deltas.provider_cost_micros.baseline).toBeGreaterThan(m.metric_deltas.provider_cost_micros.candidate);
    expect(m.metric_deltas.ttft_ms.delta.mean).toBeLessThan(0);
    expect(m.metric_deltas.ttft_ms.delta.ci95_high).toBeLessThan(0);
    expect(m.recommended_profile).toBe('candidate');
    expect(report.evidence_digest).toMatch(/^sig_[0-9a-f]{64}$/);
    expect(verified.body).toMatchObject({ valid: true, digest_type: 'hmac_sha256' });
    expect(report.assumptions.join(' ')).toMatch(/prefill rate/);
    expect(report.provenance.catalogue_revision).toBe(priceCatalogue.revision);
  });

  it('is reproducible: the metrics are exactly those the same manifest and run id generate', async () => {
    const { tenant, api } = await tenantApi(gateway, 'synthetic-seed');
    const created = await createSynthetic(api, { baseline: 'managed_mini', candidate: 'byoc_us_east' });

    await deliver(tenant.projectId, created.id);
    const run = (await api.get(`/v2/replay-runs/${created.id}`)).body;

    const side = (name: string) => resolveSide('baseline', name, new Map(), priceCatalogue);
    const again = syntheticPerformance({ columns: toColumns(traces), repetitions: 50, baseline: side('managed_mini'), candidate: side('byoc_us_east'), seed: seedFrom(created.id) });
    expect(run.metrics).toEqual(JSON.parse(JSON.stringify(again)));
  });

  it('records one ledger submission of kind replay_run when it completes, also after a redelivery', async () => {
    const { tenant, api } = await tenantApi(gateway, 'synthetic-ledger');
    const created = await createSynthetic(api, { baseline: 'managed', candidate: 'managed_mini' });

    await deliver(tenant.projectId, created.id);
    await deliver(tenant.projectId, created.id, 2);
    const history = (await api.get(`/api/v1/replay/history/${created.id}`)).body;

    expect(history.total).toBe(1);
    const run = (await api.get(`/v2/replay-runs/${created.id}`)).body;
    const savingsUsd = (run.metrics.metric_deltas.provider_cost_micros.baseline - run.metrics.metric_deltas.provider_cost_micros.candidate) / 1e6;
    expect(history.items[0]).toMatchObject({ kind: 'replay_run', status: 'success', actions_total: 2_000, actions_replayed: 2_000, divergences: 0, finished_at: run.completed_at });
    expect(history.items[0].cost_savings).toBeCloseTo(savingsUsd, 6);
  });

  it('costs traces without ttft_ms but projects no TTFT for them, and says so', async () => {
    const { tenant, api } = await tenantApi(gateway, 'synthetic-no-ttft');
    const created = await createSynthetic(api, { traces: traces.map(({ ttft_ms: _t, ...rest }) => rest), repetitions: 1 });

    await deliver(tenant.projectId, created.id);
    const report = (await api.get(`/v2/replay-runs/${created.id}/report`)).body;

    expect(report.status).toBe('completed');
    expect(report.metrics.metric_deltas.ttft_ms).toBeNull();
    expect(report.metrics.metric_deltas.provider_cost_micros.baseline).toBeGreaterThan(0);
    expect(report.known_limitations.join(' ')).toMatch(/40 of 40 source traces recorded no ttft_ms/);
  });
});
