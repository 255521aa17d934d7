import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { deliver, expectInvalid, HOUR, isoIn, listPriceCost, tenantApi, threeTraces, type Api, type Trace } from './support.ts';

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

/*
 * Runs here are created with a `scheduled_for` an hour ahead: they sit queued
 * with no message on the shared runs queue, so only this file's direct worker
 * invocations can run them (pollers of another file cannot race these tests).
 */
const later = () => isoIn(HOUR);

async function createTokenized(api: Api, body: Record<string, unknown>) {
  const response = await api.post('/v2/replay-runs', { replay_class: 'tokenized_performance', scheduled_for: later(), ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function runToCompletion(api: Api, projectId: string, runId: string) {
  const result = await deliver(projectId, runId);
  expect(result.batchItemFailures).toEqual([]);
  const run = (await api.get(`/v2/replay-runs/${runId}`)).body;
  expect(run.status, run.failure_reason ?? '').toBe('completed');
  return run;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

describe('tokenized_performance with inline traces', () => {
  it('is queued at create, then completed by the worker with list-price costs recomputed here', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'tok-inline');
    const created = await createTokenized(api, { baseline: 'managed', candidate: 'managed_mini', traces: threeTraces, repetitions: 1 });
    expect(created).toMatchObject({
      status: 'queued',
      attempt: 0,
      started_at: null,
      completed_at: null,
      metrics: null,
      manifest_size: 3,
      traffic_manifest_ref: null,
      repetitions: 1,
    });

    // Act
    const run = await runToCompletion(api, tenant.projectId, created.id);

    // Assess
    const baseline = listPriceCost(threeTraces, 'managed', 'baseline');
    const candidate = listPriceCost(threeTraces, 'managed_mini', 'candidate');
    expect(run.attempt).toBe(1);
    expect(run.started_at).toBeTruthy();
    expect(run.completed_at).toBeTruthy();
    expect(run.failure_reason).toBeNull();
    expect(run.metrics.metric_deltas.provider_cost_micros).toEqual({
      baseline: Math.round(baseline),
      candidate: Math.round(candidate),
      delta: Math.round(candidate) - Math.round(baseline),
      pct: round2(((candidate - baseline) / baseline) * 100),
    });
    const input = threeTraces.reduce((sum, t) => sum + t.input_tokens, 0);
    const realized = threeTraces.reduce((sum, t) => sum + (t.realized_reused_tokens ?? 0), 0);
    const candidateReuse = threeTraces.reduce((sum, t) => sum + (t.candidate_reuse_tokens ?? t.realized_reused_tokens ?? 0), 0);
    expect(run.metrics.metric_deltas.reuse_capture_pct).toEqual({ baseline: round2((realized / input) * 100), candidate: round2((candidateReuse / input) * 100) });
    expect(run.metrics.confidence_intervals.per_request_cost_savings_micros.n).toBe(3);
    expect(run.metrics.confidence_intervals.per_request_cost_savings_micros.mean).toBeCloseTo((baseline - candidate) / 3, 3);
    // Three requests are too few for an interval: the candidate is cheaper here, but no profile is recommended.
    expect(run.metrics.recommended_profile).toBe('either');
    expect(run.metrics.routing_divergence).toBeNull();
    expect(run.metrics).toMatchObject({ failures: 0, dropped: 0 });
  });

  it('recommends the baseline when the candidate is clearly more expensive', async () => {
    const { tenant, api } = await tenantApi(gateway, 'tok-dearer');
    const thirty = Array.from({ length: 10 }, () => threeTraces).flat();
    const created = await createTokenized(api, { baseline: 'managed_mini', candidate: 'byoc_no_cache', traces: thirty });

    const run = await runToCompletion(api, tenant.projectId, created.id);

    expect(run.metrics.metric_deltas.provider_cost_micros.baseline).toBe(Math.round(listPriceCost(thirty, 'managed_mini', 'baseline')));
    expect(run.metrics.metric_deltas.provider_cost_micros.candidate).toBe(Math.round(listPriceCost(thirty, 'byoc_no_cache', 'candidate')));
    expect(run.metrics.confidence_intervals.per_request_cost_savings_micros.ci95_high).toBeLessThan(0);
    expect(run.metrics.metric_deltas.reuse_capture_pct.candidate).toBe(0);
    expect(run.metrics.recommended_profile).toBe('baseline');
  });

  it.each([
    [0, 1],
    [-5, 1],
    [5_000, 1_000],
  ])('clamps repetitions %d to %d, and costs every repetition', async (asked, clamped) => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'tok-reps');
    const created = await createTokenized(api, { baseline: 'managed', candidate: 'managed_mini', traces: threeTraces, repetitions: asked });
    expect(created.repetitions).toBe(clamped);

    // Act
    const run = await runToCompletion(api, tenant.projectId, created.id);

    // Assess
    expect(run.repetitions).toBe(clamped);
    expect(run.metrics.confidence_intervals.per_request_cost_savings_micros.n).toBe(3 * clamped);
    expect(run.metrics.metric_deltas.provider_cost_micros.baseline).toBe(Math.round(listPriceCost(threeTraces, 'managed', 'baseline') * clamped));
    expect(run.metrics.metric_deltas.provider_cost_micros.candidate).toBe(Math.round(listPriceCost(threeTraces, 'managed_mini', 'candidate') * clamped));
    const report = (await api.get(`/v2/replay-runs/${run.id}/report`)).body;
    expect(report.provenance.repetitions).toBe(clamped);
  });
});

describe('usage events and usage:N manifests', () => {
  /** Five events a minute apart, the newest last; input tokens tell them apart. */
  const events = Array.from({ length: 5 }, (_, i) => ({
    id: `evt-${i}`,
    target: 'openai/gpt-4o',
    input_tokens: 1_000 * (i + 1),
    output_tokens: 100 * (i + 1),
    reused_tokens: 500 * i,
    ttft_ms: 200 + i,
    occurred_at: new Date(Date.UTC(2026, 5, 15, 16, i)).toISOString(),
  }));
  const asTrace = (e: (typeof events)[number]): Trace => ({ input_tokens: e.input_tokens, output_tokens: e.output_tokens, realized_reused_tokens: e.reused_tokens });

  it('builds usage:N from the newest N events; manifest_size is min(N, recorded); the worker costs those events', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'tok-usage');
    const recorded = await api.post('/v2/usage-events', { events });
    expect(recorded.status).toBe(201);
    expect(recorded.body).toEqual({ object: 'usage_event_batch', received: 5 });

    // Act
    const newest3 = await createTokenized(api, { baseline: 'managed', candidate: 'managed_mini', traffic_manifest_ref: 'usage:3' });
    const beyond = await createTokenized(api, { baseline: 'managed', candidate: 'managed_mini', traffic_manifest_ref: 'usage:10' });
    const run = await runToCompletion(api, tenant.projectId, newest3.id);

    // Assess
    expect(newest3).toMatchObject({ status: 'queued', traffic_manifest_ref: 'usage:3', manifest_size: 3 });
    expect(beyond).toMatchObject({ status: 'queued', traffic_manifest_ref: 'usage:10', manifest_size: 5 });
    const chosen = events.slice(2).map(asTrace);
    const report = (await api.get(`/v2/replay-runs/${newest3.id}/report`)).body;
    expect(report.traffic_manifest).toEqual({
      ref: 'usage:3',
      traces: 3,
      total_input_tokens: chosen.reduce((s, t) => s + t.input_tokens, 0),
      total_output_tokens: chosen.reduce((s, t) => s + t.output_tokens, 0),
      total_realized_reuse_tokens: chosen.reduce((s, t) => s + (t.realized_reused_tokens ?? 0), 0),
      traces_with_full_fidelity_payload: 0,
    });
    expect(run.metrics.metric_deltas.provider_cost_micros.baseline).toBe(Math.round(listPriceCost(chosen, 'managed', 'baseline')));
    expect(run.metrics.metric_deltas.provider_cost_micros.candidate).toBe(Math.round(listPriceCost(chosen, 'managed_mini', 'candidate')));
    expect(run.metrics.recommended_profile).toBe('either');
  });

  it('says a usage:500 run resting on one recorded event computes no interval and recommends nothing (either)', async () => {
    // Prepare: the case that reported n: 1, a zero-width interval and "baseline".
    const { tenant, api } = await tenantApi(gateway, 'tok-one');
    await api.post('/v2/usage-events', { events: events.slice(0, 1) });
    const created = await createTokenized(api, { baseline: 'managed_mini', candidate: 'managed', traffic_manifest_ref: 'usage:500', repetitions: 100 });

    // Act
    const run = await runToCompletion(api, tenant.projectId, created.id);
    const report = (await api.get(`/v2/replay-runs/${created.id}/report`)).body;

    // Assess
    expect(run.metrics.confidence_intervals.per_request_cost_savings_micros).toMatchObject({ n: 100, ci95_low: null, ci95_high: null, ci95_computed: false });
    expect(run.metrics.sample_size).toEqual({ requests: 1, repetitions: 100, samples: 100, minimum_requests_for_intervals: 30 });
    expect(report.recommended_profile).toBe('either');
    expect(report.known_limitations).toEqual(expect.arrayContaining([expect.stringMatching(/rest on 1 request, fewer than the 30/)]));
    expect(report.provenance.confidence_intervals).toMatch(/not computed below 30 requests/);
  });

  it('lists usage events newest first, a cursor walking each event once', async () => {
    // Prepare
    const { api } = await tenantApi(gateway, 'usage-list');
    await api.post('/v2/usage-events', { events });

    // Act
    const pages = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { object: string; data: { id: string }[]; has_more: boolean; next_cursor: string | null } } = await api.get(
        `/v2/usage-events?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      pages.push(page.body);
      cursor = page.body.next_cursor;
    } while (cursor && pages.length < 10);

    // Assess
    expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
    expect(pages.map((p) => p.has_more)).toEqual([true, true, false]);
    expect(pages.at(-1)!.next_cursor).toBeNull();
    expect(pages.flatMap((p) => p.data.map((e) => e.id))).toEqual(['evt-4', 'evt-3', 'evt-2', 'evt-1', 'evt-0']);
    expect(pages[0]!.object).toBe('list');
    expect(pages[0]!.data[0]).toMatchObject({ id: 'evt-4', target: 'openai/gpt-4o', input_tokens: 5_000, output_tokens: 500, reused_tokens: 2_000, ttft_ms: 204 });
  });

  it('records events with the same client id once when a batch with occurred_at is retried', async () => {
    const { api } = await tenantApi(gateway, 'usage-retry');

    const first = await api.post('/v2/usage-events', { events: events.slice(0, 3) });
    const retry = await api.post('/v2/usage-events', { events: events.slice(0, 3) });

    expect([first.status, retry.status]).toEqual([201, 201]);
    const listed = (await api.get('/v2/usage-events?limit=100')).body.data.map((e: { id: string }) => e.id);
    expect(listed).toEqual(['evt-2', 'evt-1', 'evt-0']);
  });

  it('refuses a client id without occurred_at (a retry could not be recognised), recording nothing', async () => {
    // Prepare: an event is identified by (occurred_at, id); without the time a retry would be a second event.
    const { api } = await tenantApi(gateway, 'usage-retry-now');
    const batch = { events: [{ id: 'req-1', target: 'openai/gpt-4o', input_tokens: 1_200, output_tokens: 300, reused_tokens: 800 }] };

    // Act
    const response = await api.post('/v2/usage-events', batch);

    // Assess
    expectInvalid(response, 'events.0.occurred_at');
    expect((await api.get('/v2/usage-events?limit=100')).body.data).toEqual([]);
  });

  it('refuses an occurred_at on a day that does not exist, recording nothing', async () => {
    const { api } = await tenantApi(gateway, 'usage-feb30');
    const response = await api.post('/v2/usage-events', { events: [{ id: 'req-1', target: 'openai/gpt-4o', input_tokens: 1, output_tokens: 1, occurred_at: '2026-02-30T00:00:00Z' }] });
    expectInvalid(response, 'events.0.occurred_at');
    expect((await api.get('/v2/usage-events?limit=100')).body.data).toEqual([]);
  });

  it('answers a batch repeating one client id without a 500, recording the event at most once', async () => {
    // Prepare: a client whose retry logic appended the same event twice to one batch.
    const { api } = await tenantApi(gateway, 'usage-dup-batch');
    const event = { id: 'req-7', target: 'openai/gpt-4o', input_tokens: 500, output_tokens: 50, occurred_at: '2026-06-15T16:18:09Z' };

    // Act
    const response = await api.post('/v2/usage-events', { events: [event, event] });

    // Assess: either de-duplicated (201) or refused naming the repeated id (400); never an internal error.
    expect(response.status, JSON.stringify(response.body)).not.toBe(500);
    const listed = (await api.get('/v2/usage-events?limit=100')).body.data.map((e: { id: string }) => e.id);
    if (response.status === 400) {
      expectInvalid(response, 'events.1.id');
      expect(listed).toEqual([]);
    } else {
      expect(response.status).toBe(201);
      expect(listed).toEqual(['req-7']);
    }
  });

  it('refuses an event whose reused_tokens exceed its input_tokens, recording nothing', async () => {
    const { api } = await tenantApi(gateway, 'usage-bad');
    const response = await api.post('/v2/usage-events', {
      events: [events[0], { target: 'openai/gpt-4o', input_tokens: 10, output_tokens: 1, reused_tokens: 11 }],
    });
    expectInvalid(response, 'events.1.reused_tokens');
    expect((await api.get('/v2/usage-events')).body.data).toEqual([]);
  });
});
