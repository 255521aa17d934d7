import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { dynamoDb } from '../../../functions/adapters/aws/dynamodb-client.ts';
import { expectInvalid, tenantApi } from './support.ts';

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

/** `started_at` and `completed_at` keep their milliseconds when they have any. */
const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const GPT4O = 'openai/gpt-4o';
const SONNET = 'anthropic/claude-3-7-sonnet';

describe('routing_simulation', () => {
  it('completes inline: completed, attempt 1, timestamps set, target distributions and divergence rate', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'routing');

    // Act
    const created = await api.post('/v2/replay-runs', { baseline: 'openai/gpt-4o@2025-01-01', candidate: 'byoc_us_east' });

    // Assess
    expect(created.status).toBe(201);
    const run = created.body;
    expect(run).toMatchObject({
      object: 'replay_run',
      project_id: tenant.projectId,
      status: 'completed',
      replay_class: 'routing_simulation',
      baseline: 'openai/gpt-4o@2025-01-01',
      candidate: 'byoc_us_east',
      attempt: 1,
      traffic_manifest_ref: null,
      manifest_size: 0,
      failure_reason: null,
      repetitions: 1,
      concurrency: 1,
    });
    expect(run.id).toMatch(/^rpl_[0-9a-z]{26}$/);
    expect(run.started_at).toMatch(RFC3339_MS);
    expect(run.completed_at).toMatch(RFC3339_MS);
    expect(Date.parse(run.completed_at)).toBeGreaterThanOrEqual(Date.parse(run.started_at));
    expect(run.metrics.target_distribution).toEqual({ baseline: { 'openai/gpt-4o@2025-01-01': 1 }, candidate: { [SONNET]: 1 } });
    expect(run.metrics.divergence_rate).toBe(1);
    expect((await api.get(`/v2/replay-runs/${run.id}`)).body).toEqual(run);
  });

  it('has a divergence rate of 0 when both sides route to the same target', async () => {
    const { api } = await tenantApi(gateway, 'routing-same');
    const run = (await api.post('/v2/replay-runs', { baseline: 'managed', candidate: 'byoc_no_cache' })).body;
    expect(run.status).toBe('completed');
    expect(run.metrics.target_distribution).toEqual({ baseline: { [GPT4O]: 1 }, candidate: { [GPT4O]: 1 } });
    expect(run.metrics.divergence_rate).toBe(0);
  });

  it('follows an alias\'s weights within a tolerance, and gives identical metrics on two runs (deterministic)', async () => {
    // Prepare
    const { api } = await tenantApi(gateway, 'routing-alias');
    const alias = await api.put('/v2/aliases/prod-chat', {
      releases: [
        { target: GPT4O, weight: 70 },
        { target: SONNET, weight: 30 },
      ],
    });
    expect(alias.status).toBe(200);

    // Act
    const first = await api.post('/v2/replay-runs', { baseline: 'prod-chat', candidate: GPT4O });
    const second = await api.post('/v2/replay-runs', { baseline: 'prod-chat', candidate: GPT4O });

    // Assess
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('completed');
    const shares = first.body.metrics.target_distribution.baseline;
    expect(Object.keys(shares).sort()).toEqual([SONNET, GPT4O].sort());
    expect(shares[GPT4O]).toBeCloseTo(0.7, 1);
    expect(Math.abs(shares[GPT4O] - 0.7)).toBeLessThan(0.05);
    expect(Math.abs(shares[SONNET] - 0.3)).toBeLessThan(0.05);
    expect(shares[GPT4O] + shares[SONNET]).toBeCloseTo(1, 6);
    expect(first.body.metrics.target_distribution.candidate).toEqual({ [GPT4O]: 1 });
    // The fixed candidate disagrees exactly where the alias picked Sonnet.
    expect(first.body.metrics.divergence_rate).toBeCloseTo(shares[SONNET], 6);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.metrics).toEqual(first.body.metrics);
    const report = (await api.get(`/v2/replay-runs/${first.body.id}/report`)).body;
    expect(report.provenance.model_alias_release).toEqual({ baseline: 'prod-chat@1', candidate: null });
  });

  it('routes an alias on both sides through the same draws: identical releases never diverge', async () => {
    const { api } = await tenantApi(gateway, 'routing-both');
    const releases = [
      { target: GPT4O, weight: 1 },
      { target: SONNET, weight: 1 },
    ];
    await api.put('/v2/aliases/left', { releases });
    await api.put('/v2/aliases/right', { releases });

    const run = (await api.post('/v2/replay-runs', { baseline: 'left', candidate: 'right' })).body;

    expect(run.status).toBe('completed');
    expect(run.metrics.divergence_rate).toBe(0);
    expect(run.metrics.target_distribution.baseline).toEqual(run.metrics.target_distribution.candidate);
    expect(Math.abs(run.metrics.target_distribution.baseline[GPT4O] - 0.5)).toBeLessThan(0.05);
  });
});

describe('aliases', () => {
  it('increments the version on each PUT, lists every alias at its latest release, and runs use the latest weights', async () => {
    // Prepare
    const { api } = await tenantApi(gateway, 'aliases');

    // Act
    const v1 = await api.put('/v2/aliases/chat', { releases: [{ target: GPT4O, weight: 1 }] });
    const v2 = await api.put('/v2/aliases/chat', { releases: [{ target: GPT4O, weight: 9 }, { target: SONNET, weight: 1 }] });
    const v3 = await api.put('/v2/aliases/chat', { releases: [{ target: GPT4O, weight: 1 }, { target: SONNET, weight: 9 }] });
    const other = await api.put('/v2/aliases/batch', { releases: [{ target: 'google/gemini-2.0-flash', weight: 5 }] });
    const list = await api.get('/v2/aliases');
    const run = (await api.post('/v2/replay-runs', { baseline: 'chat', candidate: 'batch' })).body;

    // Assess
    expect([v1.status, v2.status, v3.status, other.status]).toEqual([200, 200, 200, 200]);
    expect([v1.body.version, v2.body.version, v3.body.version]).toEqual([1, 2, 3]);
    expect(v3.body).toMatchObject({ object: 'alias', name: 'chat', releases: [{ target: GPT4O, weight: 1 }, { target: SONNET, weight: 9 }] });
    expect(other.body.version).toBe(1);
    expect(list.status).toBe(200);
    expect(list.body.object).toBe('list');
    const byName = Object.fromEntries(list.body.data.map((a: { name: string }) => [a.name, a]));
    expect(Object.keys(byName).sort()).toEqual(['batch', 'chat']);
    expect(byName.chat).toMatchObject({ object: 'alias', version: 3, releases: v3.body.releases });
    expect(byName.batch).toMatchObject({ object: 'alias', version: 1, releases: [{ target: 'google/gemini-2.0-flash', weight: 5 }] });
    expect(Math.abs(run.metrics.target_distribution.baseline[SONNET] - 0.9)).toBeLessThan(0.05);
    expect(run.metrics.target_distribution.candidate).toEqual({ 'google/gemini-2.0-flash': 1 });
    const report = (await api.get(`/v2/replay-runs/${run.id}/report`)).body;
    expect(report.provenance.model_alias_release).toEqual({ baseline: 'chat@3', candidate: 'batch@1' });
  });

  it('refuses a release whose target is not provider/model[@revision]', async () => {
    const { api } = await tenantApi(gateway, 'alias-bad');
    const response = await api.put('/v2/aliases/chat', { releases: [{ target: GPT4O, weight: 1 }, { target: 'not a target', weight: 1 }] });
    expectInvalid(response, 'releases.1.target');
    expect((await api.get('/v2/aliases')).body.data).toEqual([]);
  });

  it('limits a project to 100 aliases: the 101st is a 400 naming the limit, updating one at the limit still works', async () => {
    // Prepare: a project with 100 aliases.
    const { api } = await tenantApi(gateway, 'alias-limit');
    const release = { releases: [{ target: GPT4O, weight: 1 }] };
    const made = await Promise.all(Array.from({ length: 100 }, (_, i) => api.put(`/v2/aliases/a${i}`, release)));
    expect(made.every((response) => response.status === 200)).toBe(true);

    // Act
    const over = await api.put('/v2/aliases/one-too-many', release);
    const update = await api.put('/v2/aliases/a7', { releases: [{ target: SONNET, weight: 1 }] });
    const list = await api.get('/v2/aliases');

    // Assess
    expectInvalid(over, 'name');
    expect(over.body.error.message).toContain('100 aliases');
    expect([update.status, update.body.version]).toEqual([200, 2]);
    expect(list.body.data).toHaveLength(100);
    expect(list.body.data.map((a: { name: string }) => a.name)).not.toContain('one-too-many');
  });

  it('counts an alias created by concurrent PUTs once', async () => {
    const { api } = await tenantApi(gateway, 'alias-race');

    const puts = await Promise.all(Array.from({ length: 8 }, () => api.put('/v2/aliases/same', { releases: [{ target: GPT4O, weight: 1 }] })));

    expect(puts.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(puts.map((r) => r.body.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await api.get('/v2/aliases')).body.data).toHaveLength(1);
  });

  it('resolves a run by reading only the aliases its sides name, never the project\'s whole list', async () => {
    // Prepare: a project with many aliases, and a record of every DynamoDB request the handlers make.
    const { api } = await tenantApi(gateway, 'alias-reads');
    await Promise.all(Array.from({ length: 30 }, (_, i) => api.put(`/v2/aliases/x${i}`, { releases: [{ target: GPT4O, weight: 1 }] })));
    await api.put('/v2/aliases/chat', { releases: [{ target: SONNET, weight: 1 }] });
    const requests: { command: string; input: Record<string, unknown> }[] = [];
    const record = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      requests.push({ command: context.commandName ?? '', input: (args as { input: Record<string, unknown> }).input });
      return next(args);
    };
    dynamoDb.middlewareStack.add(record as never, { step: 'initialize', name: 'recordAliasReads' });

    // Act
    let created;
    try {
      created = await api.post('/v2/replay-runs', { baseline: 'chat', candidate: 'managed' });
    } finally {
      dynamoDb.middlewareStack.remove('recordAliasReads');
    }

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.metrics.target_distribution.baseline).toEqual({ [SONNET]: 1 });
    const aliasReads = requests.filter((r) => JSON.stringify(r.input).includes('ALIAS'));
    expect(aliasReads.map((r) => r.command)).toEqual(['BatchGetItemCommand']);
    expect(JSON.stringify(aliasReads[0]!.input).match(/ALIAS#[^"]*/g)?.sort()).toEqual(['ALIAS#chat', 'ALIAS#managed']);
  });
});
