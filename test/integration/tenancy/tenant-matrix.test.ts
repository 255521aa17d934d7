import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETACHED_ROUTES_ENV } from '../../../lib/catalogue.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { apiClient } from '../../support/api-client.ts';
import { createTenantKey, type TestTenant } from '../../support/tenants.ts';
import { drain, purge, routeQueueUrl, seedOutputs } from '../detached-replay/support.ts';

/*
 * Two orgs that both name their project "shared": every route of every
 * capability, as the other org's key sees it. Nothing of one may be visible,
 * changeable or countable by the other, and an id of the other is a 404.
 */

type Api = ReturnType<typeof apiClient>;
const suffix = randomUUID().slice(0, 8);
let gateway: HttpGateway;
let x: TestTenant;
let y: TestTenant;
let ax: Api;
let ay: Api;

const threeTraces = [1, 2, 3].map((i) => ({ input_tokens: 1_000 * i, output_tokens: 100, realized_reused_tokens: 100 }));
const ids: { completedRun?: string; queuedRun?: string; execution?: string; fromExecution?: string } = {};

beforeAll(async () => {
  x = await createTenantKey(`org-x-${suffix}`, 'shared');
  y = await createTenantKey(`org-y-${suffix}`, 'shared');
  // A route open to org x's project only (the env the stack gives from cdk.json), read when the handlers load.
  const routes = JSON.parse(process.env[DETACHED_ROUTES_ENV]!) as Record<string, { queue_url: string; projects?: string[] }>;
  process.env[DETACHED_ROUTES_ENV] = JSON.stringify({ ...routes, 'x-only': { queue_url: routeQueueUrl(), projects: [x.projectId] } });
  gateway = await startHttpGateway({ port: 0 });
  ax = apiClient(gateway.url, x.apiKey);
  ay = apiClient(gateway.url, y.apiKey);

  // Org x uses every capability under the shared name.
  expect((await ax.put('/v2/aliases/prod', { releases: [{ target: 'openai/gpt-4o', weight: 1 }] })).status).toBe(200);
  expect((await ax.post('/v2/usage-events', { events: [{ id: 'e1', target: 'openai/gpt-4o', input_tokens: 10, output_tokens: 1, occurred_at: '2026-11-01T00:00:00Z' }] })).status).toBe(201);
  ids.completedRun = (await ax.post('/v2/replay-runs', { baseline: 'prod', candidate: 'managed' })).body.id;
  const queued = await ax.post('/v2/replay-runs', {
    baseline: 'managed',
    candidate: 'managed_mini',
    replay_class: 'tokenized_performance',
    traces: threeTraces,
    scheduled_for: new Date(Date.now() + 3_600_000).toISOString(),
  });
  expect(queued.status).toBe(201);
  ids.queuedRun = queued.body.id;
  expect((await ax.post('/api/v1/replay/run-shared/results', { status: 'success', actions_replayed: 3, actions_total: 3, divergences: 1, cost_savings: 2, deployment: 'prod' })).status).toBe(201);
  ids.fromExecution = randomUUID();
  await purge(routeQueueUrl());
  await seedOutputs(x.projectId, ids.fromExecution, 'stage', 3, false);
  const replay = await ax.post('/api/v1/replay', { from_execution_id: ids.fromExecution, from_stage: 'stage', to_route: 'example-ingest' });
  expect(replay.status).toBe(200);
  ids.execution = replay.body.execution_id;
  await drain(routeQueueUrl(), 3);
});
afterAll(() => gateway?.stop());

describe('two orgs with a project of the same name', () => {
  it('get different, generated project ids, which /api/v1/me tells each key', async () => {
    const [meX, meY] = await Promise.all([ax.get('/api/v1/me'), ay.get('/api/v1/me')]);
    expect(meX).toMatchObject({ status: 200, body: { org_id: x.orgId, project_id: x.projectId, project_name: 'shared', key_id: x.keyId } });
    expect(meY).toMatchObject({ status: 200, body: { org_id: y.orgId, project_id: y.projectId, project_name: 'shared', key_id: y.keyId } });
    expect(x.projectId).toMatch(/^prj_[0-9a-z]{26}$/);
    expect(y.projectId).toMatch(/^prj_[0-9a-z]{26}$/);
    expect(x.projectId).not.toBe(y.projectId);
  });

  it('keeps one project per org and name: a second key of org x joins the same project', async () => {
    const again = await createTenantKey(x.orgId, 'shared');
    expect(again.projectId).toBe(x.projectId);
    expect((await apiClient(gateway.url, again.apiKey).get('/v2/aliases')).body.data.map((a: { name: string }) => a.name)).toEqual(['prod']);
  });

  it('shows the other org none of the lists, and counts none of it', async () => {
    const lists = await Promise.all([
      ay.get('/v2/aliases'),
      ay.get('/v2/usage-events'),
      ay.get('/v2/replay-runs?limit=100'),
      ay.get('/api/v1/replay/executions'),
      ay.get('/api/v1/replay/history/'),
      ay.get('/api/v1/replay/stats'),
      ay.get('/api/v1/replay/stats/daily'),
    ]);
    expect(lists.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    const [aliases, usage, runs, executions, history, stats, daily] = lists.map((r) => r.body);
    expect(aliases.data).toEqual([]);
    expect(usage.data).toEqual([]);
    expect(runs.data).toEqual([]);
    expect(executions.items ?? executions.data).toEqual([]);
    expect(history).toMatchObject({ items: [], total: 0 });
    expect(stats).toEqual({ submissions: 0, actions_replayed: 0, divergences: 0, cost_saved: 0 });
    expect(daily.items).toEqual([]);

    // …while org x sees its own
    expect((await ax.get('/v2/replay-runs?limit=100')).body.data).toHaveLength(2);
    // The SDK's submission, the completed routing_simulation's (kind replay_run) and the ended detached replay's.
    const kinds = (await ax.get('/api/v1/replay/history?limit=200')).body.items.map((item: { kind: string }) => item.kind).sort();
    expect(kinds).toEqual(['detached_replay', 'replay_run', 'sdk']);
    expect((await ax.get('/api/v1/replay/stats')).body.submissions).toBe(3);
  });

  it("answers 404 for every id of the other org's project", async () => {
    const responses = await Promise.all([
      ay.get(`/v2/replay-runs/${ids.completedRun}`),
      ay.get(`/v2/replay-runs/${ids.completedRun}/report`),
      ay.post(`/v2/replay-runs/${ids.queuedRun}/cancel`),
      ay.get(`/api/v1/replay/executions/${ids.execution}`),
      ay.get('/api/v1/replay/history/run-shared'),
    ]);
    expect(responses.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    expect((await ax.get(`/v2/replay-runs/${ids.queuedRun}`)).body.status).toBe('queued');
  });

  it("changes nothing of the other org's: an alias of the same name is the org's own", async () => {
    expect((await ay.put('/v2/aliases/prod', { releases: [{ target: 'openai/gpt-4o-mini', weight: 1 }] })).body.version).toBe(1);
    const [mine] = (await ax.get('/v2/aliases')).body.data;
    expect(mine).toMatchObject({ name: 'prod', version: 1, releases: [{ target: 'openai/gpt-4o', weight: 1 }] });
  });

  it("reads outputs only under the caller's project id: the other org's execution is an empty prefix", async () => {
    const response = await ay.post('/api/v1/replay', { from_execution_id: ids.fromExecution, from_stage: 'stage', to_route: 'example-ingest' });
    expect(response.status).toBe(404);
  });

  it('offers a route restricted to a project id to that project alone', async () => {
    const [routesX, routesY] = await Promise.all([ax.get('/api/v1/routes'), ay.get('/api/v1/routes')]);
    const names = (body: unknown) => JSON.stringify(body);
    expect(names(routesX.body)).toContain('x-only');
    expect(names(routesY.body)).not.toContain('x-only');
    const fromY = await ay.post('/api/v1/replay', { from_execution_id: ids.fromExecution, from_stage: 'stage', to_route: 'x-only' });
    expect(fromY.status).toBe(404);
  });

  it("does not verify org x's report relabelled to org y's project", async () => {
    const report = (await ax.get(`/v2/replay-runs/${ids.completedRun}/report`)).body;
    expect((await ay.post('/v2/replay-reports/verify', report)).body.valid).toBe(true);
    expect((await ay.post('/v2/replay-reports/verify', { ...report, project_id: y.projectId })).body.valid).toBe(false);
  });
});
