import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../../../lib/local/fake-provider.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import type { Pollers } from '../../../lib/local/sqs-pollers.ts';
import { secrets } from '../../../lib/catalogue.ts';
import { openApiDocument, openApiValidator } from '../contract/support.ts';
import { API_KEY, conversations, fakeProviders, ownChunkQueue, runEnded, startChunkPollers } from './full-fidelity-support.ts';
import { deliver, expectInvalid, HOUR, isoIn, tenantApi, type Api } from './support.ts';

let gateway: HttpGateway;
let fake: FakeProvider;
let queue: Awaited<ReturnType<typeof ownChunkQueue>>;
let pollers: Pollers;
beforeAll(async () => {
  queue = await ownChunkQueue();
  fake = await fakeProviders({ latencyMs: 20 });
  pollers = startChunkPollers(queue);
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(async () => {
  await gateway.stop();
  await pollers.stop();
  await fake.stop();
  await queue.remove();
});

/** Creates a run scheduled ahead (nothing on the shared runs queue), then starts it as its schedule would. */
async function startRun(api: Api, projectId: string, body: Record<string, unknown>) {
  const created = await api.post('/v2/replay-runs', {
    baseline: 'managed',
    candidate: 'managed_mini',
    replay_class: 'full_fidelity_evaluation',
    scheduled_for: isoIn(HOUR),
    max_spend_usd: 5,
    ...body,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await deliver(projectId, created.body.id)).batchItemFailures).toEqual([]);
  return created.body;
}

const validator = openApiValidator(openApiDocument());
/** The run and its report are what the OpenAPI document says they are. */
function expectDocumented(run: unknown, report: unknown) {
  expect(validator.operationErrors('/v2/replay-runs/{replay_run_id}', 'GET', 200, run)).toEqual([]);
  expect(validator.operationErrors('/v2/replay-runs/{replay_run_id}/report', 'GET', 200, report)).toEqual([]);
}

const requestsOf = (runId: string) => fake.requests.filter((r) => r.requestId?.startsWith(`${runId}:`));

describe('full_fidelity_evaluation', () => {
  it('re-executes every trace × repetition on both sides through the broker, within concurrency, and completes with a signed report', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'ff');
    const traces = conversations(40);

    // Act
    const created = await startRun(api, tenant.projectId, { traces, repetitions: 2, concurrency: 4, max_output_tokens: 32 });
    const run = await runEnded(api, created.id);
    const report = (await api.get(`/v2/replay-runs/${created.id}/report`)).body;
    const verified = (await api.post('/v2/replay-reports/verify', report)).body;
    const ledger = (await api.get(`/api/v1/replay/history/${created.id}`)).body;

    // Assess: 80 pairs, 160 requests, each once, with the configured key, never more than 4 at once.
    expect(created).toMatchObject({ status: 'queued', max_spend_usd: 5, progress: { chunks_total: 5, chunks_done: 0, pairs_total: 80, pairs_done: 0 } });
    expect(run.status, run.failure_reason).toBe('completed');
    expect(run.progress).toMatchObject({ chunks_total: 5, chunks_done: 5, pairs_total: 80, pairs_done: 80, failures: 0, dropped: 0 });
    const sent = requestsOf(created.id);
    expect(sent).toHaveLength(160);
    expect(new Set(sent.map((r) => r.requestId)).size).toBe(160);
    expect(sent.every((r) => r.authorized && r.stream)).toBe(true);
    expect(new Set(sent.map((r) => r.model))).toEqual(new Set(['gpt-4o', 'gpt-4o-mini']));
    const m = run.metrics;
    expect(m.max_in_flight_in_one_chunk).toBeLessThanOrEqual(4);
    expect(m.requests).toEqual({ sent: 160, failed: 0, retried: 0, without_usage: 0 });
    expect(m.output_divergence).toMatchObject({ pairs_compared: 80, exact_match_rate: 1, similarity: { metric: 'token_f1', mean: 1 } });
    expect(m.metric_deltas.latency_ms.baseline.p50).toBeGreaterThanOrEqual(20);
    expect(m.metric_deltas.ttft_ms.baseline.p50).toBeGreaterThanOrEqual(20);
    // Real cost from the returned usage: gpt-4o-mini is cheaper for the same tokens.
    const usage = sent.reduce((sum, r) => sum + (r.model === 'gpt-4o' ? r.promptTokens * 2.5 + r.completionTokens * 10 : r.promptTokens * 0.15 + r.completionTokens * 0.6), 0);
    expect(m.metric_deltas.provider_cost_micros.baseline + m.metric_deltas.provider_cost_micros.candidate).toBeCloseTo(usage, -1);
    expect(m.spend).toMatchObject({ max_spend_usd: 5, budget_source: 'request', stopped_by_budget: false, exceeded_by_usd: 0 });
    expect(m.spend.spent_usd).toBeCloseTo(usage / 1e6, 5);
    expect(run.progress.spent_usd).toBeCloseTo(usage / 1e6, 5);
    expect(m.recommended_profile).toBe('candidate');
    expect(m).toMatchObject({ failures: 0, dropped: 0 });
    expect(report.provenance).toMatchObject({
      concurrency: 4,
      retry_policy: { max_attempts: 3, timeout_ms: 60_000 },
      tokenizer_revision: 'provider_reported_usage',
      failures_and_dropped: { failures: 0, dropped: 0 },
    });
    expect(verified.valid).toBe(true);
    expectDocumented(run, report);
    expect(ledger.items).toHaveLength(1);
    expect(ledger.items[0]).toMatchObject({ kind: 'replay_run', status: 'success', actions_total: 80, actions_replayed: 80, divergences: 0 });
  });

  it('measures output divergence when the sides answer differently', async () => {
    const { tenant, api } = await tenantApi(gateway, 'ff-diverge');
    const divergent = await fakeProviders({ latencyMs: 5, content: 'model' });
    try {
      const created = await startRun(api, tenant.projectId, { traces: conversations(30), concurrency: 8 });
      const run = await runEnded(api, created.id);

      expect(run.status, run.failure_reason).toBe('completed');
      expect(run.metrics.output_divergence.exact_match_rate).toBe(0);
      // "gpt-4o says: …" against "gpt-4o-mini says: …": all words shared but the model names.
      expect(run.metrics.output_divergence.similarity.mean).toBeGreaterThan(0.7);
      expect(run.metrics.output_divergence.similarity.mean).toBeLessThan(1);
    } finally {
      await divergent.stop();
      await fakeProviders({ latencyMs: 20 }).then((f) => {
        fake = f;
      });
    }
  });

  it('counts provider failures exactly: a pair fails when either side failed after the retry policy, with reasons and no key in them', async () => {
    const { tenant, api } = await tenantApi(gateway, 'ff-fail');
    const flaky = await fakeProviders({ latencyMs: 5, failureRate: 0.3, seed: 7 });
    try {
      const created = await startRun(api, tenant.projectId, { traces: conversations(50), concurrency: 6, retry_policy: { max_attempts: 1 } });
      const run = await runEnded(api, created.id);
      const report = (await api.get(`/v2/replay-runs/${created.id}/report`)).body;

      const sent = flaky.requests.filter((r) => r.requestId?.startsWith(`${created.id}:`));
      const failedPairs = new Set(sent.filter((r) => r.status !== 200).map((r) => r.requestId!.split(':').slice(1, 3).join(':')));
      expect(failedPairs.size).toBeGreaterThan(0);
      expect(run.status).toBe('completed');
      expect(run.metrics.failures).toBe(failedPairs.size);
      expect(run.progress.failures).toBe(failedPairs.size);
      expect(run.metrics.requests.failed).toBe(sent.filter((r) => r.status !== 200).length);
      expect(run.metrics.output_divergence.pairs_compared).toBe(50 - failedPairs.size);
      expect(Object.keys(run.metrics.failure_reasons).every((reason) => /^(baseline|candidate): http_500$/.test(reason))).toBe(true);
      expect(report.provenance.failures_and_dropped).toEqual({ failures: failedPairs.size, dropped: 0 });
      expect(report.provenance.retry_policy.max_attempts).toBe(1);
      expect(JSON.stringify(report)).not.toContain(API_KEY);
      expectDocumented(run, report);
      expect((await api.get(`/api/v1/replay/history/${created.id}`)).body.items[0]).toMatchObject({ status: 'partial', divergences: failedPairs.size });
    } finally {
      await flaky.stop();
      fake = await fakeProviders({ latencyMs: 20 });
    }
  });

  it('retries failed requests per its retry policy', async () => {
    const { tenant, api } = await tenantApi(gateway, 'ff-retry');
    const flaky = await fakeProviders({ latencyMs: 2, failureRate: 0.3, seed: 11 });
    try {
      const created = await startRun(api, tenant.projectId, { traces: conversations(30), concurrency: 6, retry_policy: { max_attempts: 5, timeout_ms: 5_000 } });
      const run = await runEnded(api, created.id);

      const sent = flaky.requests.filter((r) => r.requestId?.startsWith(`${created.id}:`));
      // Request ids end with the attempt: a side failed only if its fifth attempt failed too.
      const exhausted = new Set(sent.filter((r) => r.status !== 200 && r.requestId!.endsWith(':5')).map((r) => r.requestId!.split(':').slice(1, 3).join(':')));
      expect(run.status).toBe('completed');
      expect(run.metrics.requests.retried).toBe(sent.length - 60);
      expect(run.metrics.requests.retried).toBeGreaterThan(0);
      expect(Math.max(...sent.map((r) => Number(r.requestId!.split(':').at(-1))))).toBeLessThanOrEqual(5);
      expect(run.metrics.failures).toBe(exhausted.size);
    } finally {
      await flaky.stop();
      fake = await fakeProviders({ latencyMs: 20 });
    }
  });

  it('fails a run where no pair completed, saying why, without the provider key in the reason', async () => {
    const { tenant, api } = await tenantApi(gateway, 'ff-badkey');
    const saved = process.env[secrets.providers.localValueEnvName]!;
    process.env[secrets.providers.localValueEnvName] = saved.replaceAll(API_KEY, 'sk-wrong-key-0123456789');
    try {
      const created = await startRun(api, tenant.projectId, { traces: conversations(5) });
      const run = await runEnded(api, created.id);

      expect(run.status).toBe('failed');
      expect(run.failure_reason).toMatch(/No pair completed on both sides: 5 failed/);
      expect(run.failure_reason).toMatch(/http_401/);
      const report = (await api.get(`/v2/replay-runs/${created.id}/report`)).body;
      expect(JSON.stringify(report)).not.toContain('sk-wrong-key');
      expect((await api.get(`/api/v1/replay/history/${created.id}`)).body.items[0]).toMatchObject({ status: 'failed', divergences: 5 });
    } finally {
      process.env[secrets.providers.localValueEnvName] = saved;
    }
  });
});

describe('the budget', () => {
  it('refuses a run whose estimate is over its budget with a 400 that states the estimate, creating nothing', async () => {
    const { api } = await tenantApi(gateway, 'ff-over');
    const response = await api.post('/v2/replay-runs', {
      baseline: 'managed',
      candidate: 'byoc_us_east',
      replay_class: 'full_fidelity_evaluation',
      traces: conversations(100),
      repetitions: 10,
      max_output_tokens: 4_000,
      max_spend_usd: 1,
    });

    expectInvalid(response, 'max_spend_usd');
    // 1,000 pairs × (gpt-4o + claude-3-7-sonnet) × (recorded input + 4,000 output tokens) at list prices.
    const input = conversations(100).reduce((sum, t) => sum + t.input_tokens, 0) * 10;
    const estimate = (input * (2.5 + 3) + 1_000 * 4_000 * (10 + 15)) / 1e6;
    expect(response.body.error.message).toContain(`$${estimate.toFixed(6)}`);
    expect(response.body.error.message).toMatch(/budget of \$1 \(request\)/);
    expect((await api.get('/v2/replay-runs')).body.data).toEqual([]);
  });

  it("uses the project's default budget when the request states none, and the platform's without one", async () => {
    const { api } = await tenantApi(gateway, 'ff-default');
    const body = { baseline: 'managed', candidate: 'managed_mini', replay_class: 'full_fidelity_evaluation', traces: conversations(10), dry_run: true };

    const platform = (await api.post('/v2/replay-runs', body)).body;
    const put = await api.put('/v2/replay-settings', { default_max_spend_usd: 0.0001 });
    const settings = (await api.get('/v2/replay-settings')).body;
    const project = (await api.post('/v2/replay-runs', body)).body;
    const refused = await api.post('/v2/replay-runs', { ...body, dry_run: undefined });

    expect(platform.spend).toMatchObject({ max_spend_usd: 10, budget_source: 'platform_default', within_budget: true });
    expect(put.status).toBe(200);
    expect(settings).toMatchObject({ object: 'replay_settings', default_max_spend_usd: 0.0001, platform_default_max_spend_usd: 10 });
    expect(project.spend).toMatchObject({ max_spend_usd: 0.0001, budget_source: 'project_default', within_budget: false });
    expectInvalid(refused, 'max_spend_usd');
    expect(refused.body.error.message).toMatch(/project default/);
  });

  it('stops the run when actual spend reaches the budget: the rest is dropped and the report says so, without overspending', async () => {
    // Prepare: traces that recorded 1 input token each but carry ~1,000 tokens of prompt, so real costs far exceed the estimate.
    const { tenant, api } = await tenantApi(gateway, 'ff-stop');
    const long = 'lorem ipsum dolor sit amet '.repeat(150);
    const traces = Array.from({ length: 30 }, (_, i) => ({ input_tokens: 1, output_tokens: 5, messages: [{ role: 'user', content: `${i} ${long}` }] }));

    // Act
    const created = await startRun(api, tenant.projectId, { baseline: 'managed', candidate: 'managed', traces, max_output_tokens: 10, max_spend_usd: 0.02 });
    const run = await runEnded(api, created.id);
    const report = (await api.get(`/v2/replay-runs/${created.id}/report`)).body;

    // Assess
    const sent = requestsOf(created.id);
    const actual = sent.reduce((sum, r) => sum + r.promptTokens * 2.5 + r.completionTokens * 10, 0);
    expect(run.status, run.failure_reason).toBe('completed');
    expect(run.metrics.spend.stopped_by_budget).toBe(true);
    expect(run.metrics.dropped).toBeGreaterThan(0);
    expect(run.metrics.dropped + run.metrics.output_divergence.pairs_compared).toBe(30);
    expect(sent.length).toBe(2 * run.metrics.output_divergence.pairs_compared);
    expect(actual).toBeLessThanOrEqual(20_000);
    expect(run.metrics.spend.spent_usd).toBeCloseTo(actual / 1e6, 5);
    expect(run.metrics.spend.exceeded_by_usd).toBe(0);
    expect(run.metrics.failure_reasons).toEqual({ budget: run.metrics.dropped });
    expect(report.provenance.failures_and_dropped).toEqual({ failures: 0, dropped: run.metrics.dropped });
    expect(report.known_limitations.join(' ')).toContain(`reached its budget ($0.02) and stopped sending: ${run.metrics.dropped} pair(s) were dropped`);
    expectDocumented(run, report);
  });
});

describe('an Idempotency-Key', () => {
  it('makes racing retries of a full-fidelity create one run, and another body with the key a 409', async () => {
    const { api } = await tenantApi(gateway, 'ff-idem');
    const body = { baseline: 'managed', candidate: 'managed_mini', replay_class: 'full_fidelity_evaluation', traces: conversations(4), scheduled_for: isoIn(HOUR) };
    const headers = { 'idempotency-key': 'ff-create-1' };

    const retries = await Promise.all(Array.from({ length: 4 }, () => api.post('/v2/replay-runs', body, headers)));
    const other = await api.post('/v2/replay-runs', { ...body, repetitions: 2 }, headers);

    expect(retries.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(retries.map((r) => r.body.id)).size).toBe(1);
    expect(retries.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(3);
    expect(other.status).toBe(409);
    expect((await api.get('/v2/replay-runs')).body.data).toHaveLength(1);
  });
});

describe('refusals at create', () => {
  it('refuses what a full-fidelity run cannot do, naming the parameter', async () => {
    const { api } = await tenantApi(gateway, 'ff-refuse');
    const body = { baseline: 'managed', candidate: 'managed_mini', replay_class: 'full_fidelity_evaluation', traces: conversations(3) };

    // A provider this deployment has not configured.
    const unconfigured = await api.post('/v2/replay-runs', { ...body, candidate: 'google/gemini-2.0-flash' });
    expectInvalid(unconfigured, 'candidate');
    expect(unconfigured.body.error.message).toMatch(/provider "google" is not configured.*configured: anthropic, openai/);
    // A trace without messages.
    const bare = await api.post('/v2/replay-runs', { ...body, traces: [conversations(1)[0], { input_tokens: 5, output_tokens: 5 }] });
    expectInvalid(bare, 'traces.1.messages');
    expect(bare.body.error.message).toMatch(/traces\[1\] has no messages/);
    // Usage events carry no prompt text.
    expectInvalid(await api.post('/v2/replay-runs', { ...body, traces: undefined, traffic_manifest_ref: 'usage:10' }), 'traffic_manifest_ref');
    // More pairs than a run may send.
    expectInvalid(await api.post('/v2/replay-runs', { ...body, traces: conversations(200), repetitions: 1_000, max_spend_usd: 100_000 }), 'repetitions');
    // Full-fidelity options on another class.
    expectInvalid(await api.post('/v2/replay-runs', { ...body, replay_class: 'tokenized_performance', max_spend_usd: 1 }), 'max_spend_usd');
    expectInvalid(await api.post('/v2/replay-runs', { ...body, retry_policy: { max_attempts: 9 } }), /^retry_policy/);
    expectInvalid(await api.post('/v2/replay-runs', { ...body, max_spend_usd: 0 }), 'max_spend_usd');
    expect((await api.get('/v2/replay-runs')).body.data).toEqual([]);
  });
});
