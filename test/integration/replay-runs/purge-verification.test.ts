import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { deliver, expectInvalid, expectNotFound, HOUR, isoIn, tenantApi, type Api } from './support.ts';

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

const purge = async (api: Api, name: string) => {
  const response = await api.post(`/v2/namespaces/${name}/purge`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { namespace: string; purged_generation: number; generation: number; purged_at: string };
};

/** A time strictly after `iso`, and one strictly before. */
const after = (iso: string, ms = 1) => new Date(Date.parse(iso) + ms).toISOString();
const before = (iso: string, ms = 1) => new Date(Date.parse(iso) - ms).toISOString();

async function runPurgeCheck(api: Api, projectId: string, body: Record<string, unknown>) {
  const created = await api.post('/v2/replay-runs', { baseline: 'managed', candidate: 'managed', replay_class: 'purge_verification', scheduled_for: isoIn(HOUR), ...body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const delivered = await deliver(projectId, created.body.id);
  expect(delivered.batchItemFailures).toEqual([]);
  const run = (await api.get(`/v2/replay-runs/${created.body.id}`)).body;
  expect(run.status, run.failure_reason).toBe('completed');
  return run;
}

describe('namespaces and generations', () => {
  it('purging ends the current generation and starts the next, from 1, and the list shows each purge', async () => {
    const { api } = await tenantApi(gateway, 'ns');

    const first = await purge(api, 'tenant-a');
    const second = await purge(api, 'tenant-a');
    const other = await purge(api, 'tenant.b_2');
    const list = (await api.get('/v2/namespaces')).body;

    expect(first).toMatchObject({ namespace: 'tenant-a', purged_generation: 1, generation: 2 });
    expect(second).toMatchObject({ namespace: 'tenant-a', purged_generation: 2, generation: 3 });
    expect(Date.parse(second.purged_at)).toBeGreaterThanOrEqual(Date.parse(first.purged_at));
    expect(other).toMatchObject({ purged_generation: 1, generation: 2 });
    expect(list).toMatchObject({ object: 'list', has_more: false, next_cursor: null });
    expect(list.data).toEqual([
      {
        object: 'namespace',
        namespace: 'tenant-a',
        generation: 3,
        purges: [
          { generation: 1, purged_at: first.purged_at },
          { generation: 2, purged_at: second.purged_at },
        ],
        updated_at: second.purged_at,
      },
      { object: 'namespace', namespace: 'tenant.b_2', generation: 2, purges: [{ generation: 1, purged_at: other.purged_at }], updated_at: other.purged_at },
    ]);
  });

  it('ends one generation per purge when purges race', async () => {
    const { api } = await tenantApi(gateway, 'ns-race');

    const results = await Promise.all(Array.from({ length: 6 }, () => purge(api, 'shared')));

    expect(results.map((r) => r.purged_generation).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const [ns] = (await api.get('/v2/namespaces')).body.data;
    expect(ns.generation).toBe(7);
    expect(ns.purges.map((p: { generation: number }) => p.generation)).toEqual([1, 2, 3, 4, 5, 6]);
    // A later generation is never purged before an earlier one: the history is in time order.
    const times = ns.purges.map((p: { purged_at: string }) => p.purged_at);
    expect([...times].sort()).toEqual(times);
    for (const r of results) expect(ns.purges[r.purged_generation - 1].purged_at).toBe(r.purged_at);
  });

  it('pages the list by name, refuses bad names and cursors, and keeps projects apart', async () => {
    const { api } = await tenantApi(gateway, 'ns-page');
    const { api: otherApi } = await tenantApi(gateway, 'ns-other');
    for (const name of ['c', 'a', 'b']) await purge(api, name);
    await purge(otherApi, 'a');

    const page1 = (await api.get('/v2/namespaces?limit=2')).body;
    const page2 = (await api.get(`/v2/namespaces?limit=2&cursor=${page1.next_cursor}`)).body;

    expect(page1.data.map((n: { namespace: string }) => n.namespace)).toEqual(['a', 'b']);
    expect(page1.has_more).toBe(true);
    expect(page2.data.map((n: { namespace: string }) => n.namespace)).toEqual(['c']);
    expect(page2).toMatchObject({ has_more: false, next_cursor: null });
    expect(page1.data[0].generation).toBe(2);
    expectInvalid(await api.post('/v2/namespaces/bad:name/purge'), 'name');
    expectInvalid(await api.get('/v2/namespaces?cursor=bm90LWEtY3Vyc29y'), 'cursor');
  });
});

describe('purge_verification', () => {
  it('finds exactly the traces that reused a generation purged before they happened (or at any time, without a time)', async () => {
    // Prepare: tenant-a purged twice (generations 1 and 2 ended), tenant-b never.
    const { tenant, api } = await tenantApi(gateway, 'purge-check');
    const g1 = await purge(api, 'tenant-a');
    const g2 = await purge(api, 'tenant-a');
    const traces = [
      { input_tokens: 100, output_tokens: 10, realized_reused_tokens: 50, namespace_generation: 'tenant-a:1', occurred_at: before(g1.purged_at) }, // before the purge: fine
      { input_tokens: 100, output_tokens: 10, realized_reused_tokens: 60, namespace_generation: 'tenant-a:1', occurred_at: after(g1.purged_at) }, // violation
      { input_tokens: 100, output_tokens: 10, realized_reused_tokens: 0, namespace_generation: 'tenant-a:1', occurred_at: after(g2.purged_at) }, // no reuse: fine
      { input_tokens: 100, output_tokens: 10, realized_reused_tokens: 70, namespace_generation: 'tenant-a:2' }, // no time, purged generation: violation
      { input_tokens: 100, output_tokens: 10, realized_reused_tokens: 80, namespace_generation: 'tenant-a:3', occurred_at: after(g2.purged_at) }, // current: fine
      { input_tokens: 100, output_tokens: 10, realized_reused_tokens: 90, namespace_generation: 'tenant-b:1' }, // never purged: fine
      { input_tokens: 100, output_tokens: 10, realized_reused_tokens: 20 }, // cannot be checked
      { input_tokens: 100, output_tokens: 10, realized_reused_tokens: 30, namespace_generation: 'tenant-a:9' }, // a generation never reached
    ];

    // Act
    const run = await runPurgeCheck(api, tenant.projectId, { traces });
    const report = (await api.get(`/v2/replay-runs/${run.id}/report`)).body;
    const verified = (await api.post('/v2/replay-reports/verify', report)).body;
    const ledger = (await api.get(`/api/v1/replay/history/${run.id}`)).body;

    // Assess
    expect(run.metrics).toMatchObject({
      traces_checked: 8,
      traces_with_reuse: 7,
      traces_verified: 6,
      traces_with_reuse_without_namespace_generation: 1,
      traces_with_unknown_generation: 1,
      violations: 2,
      passed: false,
      recommended_profile: 'n/a',
    });
    expect(run.metrics.first_violations).toEqual([
      { trace_index: 1, namespace: 'tenant-a', generation: 1, purged_at: g1.purged_at, occurred_at: traces[1]!.occurred_at, reused_tokens: 60 },
      { trace_index: 3, namespace: 'tenant-a', generation: 2, purged_at: g2.purged_at, occurred_at: null, reused_tokens: 70 },
    ]);
    expect(report.recommended_profile).toBe('n/a');
    expect(verified.valid).toBe(true);
    expect(report.known_limitations.join(' ')).toMatch(/1 trace\(s\) realised reuse without a namespace_generation/);
    expect(ledger.items[0]).toMatchObject({ kind: 'replay_run', status: 'partial', divergences: 2, actions_total: 8 });
  });

  it('passes a manifest built from usage events whose reuse all comes from live generations', async () => {
    const { tenant, api } = await tenantApi(gateway, 'purge-usage');
    const g1 = await purge(api, 'cache');
    const events = [
      { target: 'openai/gpt-4o', input_tokens: 900, output_tokens: 90, reused_tokens: 400, namespace_generation: 'cache:1', occurred_at: before(g1.purged_at, 60_000) },
      { target: 'openai/gpt-4o', input_tokens: 900, output_tokens: 90, reused_tokens: 500, namespace_generation: 'cache:2', occurred_at: after(g1.purged_at, 1_000) },
    ];
    expect((await api.post('/v2/usage-events', { events })).status).toBe(201);

    const run = await runPurgeCheck(api, tenant.projectId, { traffic_manifest_ref: 'usage:2' });

    expect(run.metrics).toMatchObject({ traces_checked: 2, traces_with_reuse: 2, violations: 0, passed: true, first_violations: [] });
    expect((await api.get(`/api/v1/replay/history/${run.id}`)).body.items[0]).toMatchObject({ status: 'success', divergences: 0 });
  });

  it('refuses a manifest without any namespace_generation, and malformed ones, naming the field', async () => {
    const { api } = await tenantApi(gateway, 'purge-refuse');
    const body = { baseline: 'managed', candidate: 'managed', replay_class: 'purge_verification' };

    expectInvalid(await api.post('/v2/replay-runs', { ...body, traces: [{ input_tokens: 1, output_tokens: 1, realized_reused_tokens: 1 }] }), 'traces');
    expectInvalid(await api.post('/v2/replay-runs', { ...body, traces: [{ input_tokens: 1, output_tokens: 1, namespace_generation: 'no-generation' }] }), /^traces\.0\.namespace_generation$/);
    expectInvalid(await api.post('/v2/replay-runs', { ...body, traces: [{ input_tokens: 1, output_tokens: 1, namespace_generation: 'ns:0' }] }), /^traces\.0\.namespace_generation$/);
    expectInvalid(
      await api.post('/v2/usage-events', { events: [{ target: 'openai/gpt-4o', input_tokens: 1, output_tokens: 1, namespace_generation: 3 }] }),
      /^events\.0\.namespace_generation$/,
    );
    expect((await api.get('/v2/replay-runs')).body.data).toEqual([]);
  });

  it("checks against the project's own purges only: another project's purge of the same name is no violation here", async () => {
    const { tenant, api } = await tenantApi(gateway, 'purge-mine');
    const { api: otherApi } = await tenantApi(gateway, 'purge-theirs');
    const theirs = await purge(otherApi, 'shared-name');

    const run = await runPurgeCheck(api, tenant.projectId, {
      traces: [{ input_tokens: 10, output_tokens: 1, realized_reused_tokens: 5, namespace_generation: 'shared-name:1', occurred_at: after(theirs.purged_at, 10) }],
    });

    expect(run.metrics).toMatchObject({ violations: 0, passed: true });
    expectNotFound(await otherApi.get(`/v2/replay-runs/${run.id}`));
  });
});
