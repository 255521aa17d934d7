import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buckets } from '../../../lib/catalogue.ts';
import type { FakeProvider } from '../../../lib/local/fake-provider.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { openApiDocument, openApiValidator } from '../contract/support.ts';
import { conversations, fakeProviders } from './full-fidelity-support.ts';
import { expectInvalid, HOUR, isoIn, listPriceCost, requiredEnv, tenantApi, threeTraces, type Api } from './support.ts';

let gateway: HttpGateway;
let fake: FakeProvider;
const s3 = new S3Client({ forcePathStyle: true });
beforeAll(async () => {
  fake = await fakeProviders();
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(async () => {
  await gateway.stop();
  await fake.stop();
  s3.destroy();
});

/** Nothing of the project anywhere: no run, no manifest object, no ledger submission. */
async function expectNothingCreated(api: Api, projectId: string) {
  expect((await api.get('/v2/replay-runs')).body.data).toEqual([]);
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: requiredEnv(buckets.artifacts.envName), Prefix: `manifests/${projectId}/` }));
  expect(objects.KeyCount ?? 0).toBe(0);
  expect((await api.get('/api/v1/replay/history/')).body.total).toBe(0);
}

const validator = openApiValidator(openApiDocument());
const dry = async (api: Api, body: Record<string, unknown>, headers?: Record<string, string>) => {
  const response = await api.post('/v2/replay-runs', { baseline: 'managed', candidate: 'managed_mini', dry_run: true, ...body }, headers);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(validator.operationErrors('/v2/replay-runs', 'POST', 200, response.body)).toEqual([]);
  expect(response.body).toMatchObject({ object: 'replay_run_estimate', dry_run: true });
  return response.body;
};

const thirty = Array.from({ length: 10 }, () => threeTraces).flat();

describe('dry runs', () => {
  it('estimate every class, resolve both sides, and create nothing', async () => {
    const { tenant, api } = await tenantApi(gateway, 'dry');
    await api.put('/v2/aliases/bot', { releases: [{ target: 'openai/gpt-4o', weight: 3 }, { target: 'openai/gpt-4o-mini', weight: 1 }] });

    const routing = await dry(api, { replay_class: 'routing_simulation' });
    const tokenized = await dry(api, { replay_class: 'tokenized_performance', traces: thirty, repetitions: 4, scheduled_for: isoIn(HOUR) });
    const routed = await dry(api, { replay_class: 'tokenized_performance', baseline: 'bot', traces: thirty, repetitions: 4 });
    const synthetic = await dry(api, { replay_class: 'synthetic_performance', traces: thirty, repetitions: 4 });
    const purge = await dry(api, { replay_class: 'purge_verification', traces: [{ input_tokens: 5, output_tokens: 1, realized_reused_tokens: 2, namespace_generation: 'ns:1' }] });
    const full = await dry(api, { replay_class: 'full_fidelity_evaluation', traces: conversations(20), repetitions: 3, concurrency: 10, max_output_tokens: 100, max_spend_usd: 2 });

    expect(routing).toMatchObject({ replay_class: 'routing_simulation', requests: 0, estimated_cost: null, spend: null, estimated_duration_s: 0 });
    expect(routing.resolved.baseline).toEqual({ kind: 'profile', alias_release: null, reuses_cached_prefixes: true, targets: [{ target: 'openai/gpt-4o', share: 1, priced: true }] });
    // Fixed sides: the recorded traffic's cost is known exactly (a zero-width interval).
    const exactB = (listPriceCost(thirty, 'managed', 'baseline') * 4) / 1e6;
    expect(tokenized).toMatchObject({ requests: 120, scheduled_for: expect.any(String), traffic_manifest: { traces: 30 } });
    expect(tokenized.estimated_cost.baseline.expected_usd).toBeCloseTo(exactB, 6);
    expect(tokenized.estimated_cost.baseline.ci95_low_usd).toBeCloseTo(exactB, 6);
    expect(tokenized.estimated_cost.baseline.ci95_high_usd).toBeCloseTo(exactB, 6);
    // Through an alias, routing makes the cost uncertain: the interval holds the expected value and has width.
    expect(routed.resolved.baseline).toMatchObject({ kind: 'alias', alias_release: 'bot@1', targets: [{ target: 'openai/gpt-4o', share: 0.75 }, { target: 'openai/gpt-4o-mini', share: 0.25 }] });
    expect(routed.estimated_cost.baseline.ci95_high_usd).toBeGreaterThan(routed.estimated_cost.baseline.ci95_low_usd);
    expect(synthetic.estimated_cost.baseline.expected_usd).toBeCloseTo(exactB, 6);
    expect(synthetic.estimated_cost.baseline.ci95_high_usd).toBeGreaterThan(exactB);
    expect(purge).toMatchObject({ replay_class: 'purge_verification', estimated_cost: null, spend: null });
    expect(full).toMatchObject({
      requests: 60,
      spend: { max_spend_usd: 2, budget_source: 'request', max_output_tokens: 100, within_budget: true },
      chunks: { chunks: 2, pairs_per_chunk: 40, lanes: 1 },
    });
    const input = conversations(20).reduce((sum, t) => sum + t.input_tokens, 0) * 3;
    expect(full.spend.estimated_spend_usd).toBeCloseTo((input * (2.5 + 0.15) + 60 * 100 * (10 + 0.6)) / 1e6, 6);
    expect(full.estimated_duration_s).toBeGreaterThan(0);
    await expectNothingCreated(api, tenant.projectId);
    expect(fake.requests).toEqual([]);
  });

  it('refuse what a create would refuse, but report an over-budget estimate instead of refusing it', async () => {
    const { tenant, api } = await tenantApi(gateway, 'dry-refuse');

    expectInvalid(await api.post('/v2/replay-runs', { baseline: 'nope', candidate: 'managed', replay_class: 'tokenized_performance', traces: threeTraces, dry_run: true }), 'baseline');
    expectInvalid(await api.post('/v2/replay-runs', { baseline: 'managed', candidate: 'managed', replay_class: 'tokenized_performance', dry_run: true }), 'traffic_manifest_ref');
    const over = await dry(api, { replay_class: 'full_fidelity_evaluation', traces: conversations(5), max_spend_usd: 0.000001 });

    expect(over.spend).toMatchObject({ within_budget: false, max_spend_usd: 0.000001 });
    await expectNothingCreated(api, tenant.projectId);
  });

  it('ignore an Idempotency-Key: a dry run claims nothing, so the key still creates the run later', async () => {
    const { api } = await tenantApi(gateway, 'dry-key');
    const body = { replay_class: 'tokenized_performance', traces: threeTraces, scheduled_for: isoIn(HOUR) };

    await dry(api, body, { 'idempotency-key': 'k-1' });
    // Another body with the same key: a claimed key would make this a 409.
    const created = await api.post('/v2/replay-runs', { baseline: 'managed', candidate: 'managed_mini', ...body, repetitions: 2 }, { 'idempotency-key': 'k-1' });
    // And a dry run after it, with yet another body, is no conflict either: it creates nothing.
    const after = await dry(api, { ...body, repetitions: 3 }, { 'idempotency-key': 'k-1' });

    expect(created.status).toBe(201);
    expect(created.headers.get('idempotent-replayed')).toBeNull();
    expect(after.repetitions).toBe(3);
    expect((await api.get('/v2/replay-runs')).body.data.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
  });
});
