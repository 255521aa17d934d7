import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { expectInvalid, expectNotFound, HOUR, isoIn, tenantApi, threeTraces, type Api } from './support.ts';

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

describe('tenant isolation', () => {
  let a: Api;
  let b: Api;
  let completedId: string;
  let queuedId: string;

  beforeAll(async () => {
    ({ api: a } = await tenantApi(gateway, 'iso-a'));
    ({ api: b } = await tenantApi(gateway, 'iso-b'));
    expect((await a.put('/v2/aliases/team-chat', { releases: [{ target: 'openai/gpt-4o', weight: 3 }, { target: 'openai/gpt-4o-mini', weight: 1 }] })).status).toBe(200);
    expect((await a.post('/v2/usage-events', { events: [{ id: 'a-1', target: 'openai/gpt-4o', input_tokens: 100, output_tokens: 10, occurred_at: '2026-06-15T16:18:09Z' }] })).status).toBe(201);
    completedId = (await a.post('/v2/replay-runs', { baseline: 'team-chat', candidate: 'managed' })).body.id;
    const queued = await a.post('/v2/replay-runs', {
      baseline: 'managed',
      candidate: 'managed_mini',
      replay_class: 'tokenized_performance',
      traces: threeTraces,
      scheduled_for: isoIn(HOUR),
    });
    expect(queued.status).toBe(201);
    queuedId = queued.body.id;
  });

  it('shows another project none of the runs in its list', async () => {
    const list = await b.get('/v2/replay-runs?limit=100');
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([]);
    expect((await a.get('/v2/replay-runs')).body.data.map((r: { id: string }) => r.id)).toEqual([queuedId, completedId]);
  });

  it('answers 404 to another project for get, cancel and report, and the run is untouched', async () => {
    for (const id of [completedId, queuedId]) {
      expectNotFound(await b.get(`/v2/replay-runs/${id}`));
      expectNotFound(await b.post(`/v2/replay-runs/${id}/cancel`));
      expectNotFound(await b.get(`/v2/replay-runs/${id}/report`));
    }
    expect((await a.get(`/v2/replay-runs/${queuedId}`)).body.status).toBe('queued');
  });

  it('shows another project none of the aliases or usage events', async () => {
    const aliases = await b.get('/v2/aliases');
    const usage = await b.get('/v2/usage-events');
    expect(aliases.status).toBe(200);
    expect(aliases.body.data).toEqual([]);
    expect(usage.status).toBe(200);
    expect(usage.body.data).toEqual([]);
    expect((await a.get('/v2/aliases')).body.data.map((x: { name: string }) => x.name)).toEqual(['team-chat']);
    expect((await a.get('/v2/usage-events')).body.data.map((x: { id: string }) => x.id)).toEqual(['a-1']);
  });

  it('does not resolve a project\'s alias, nor build usage:N from its events, for another project', async () => {
    const run = await b.post('/v2/replay-runs', { baseline: 'team-chat', candidate: 'managed' });
    const usage = await b.post('/v2/replay-runs', { baseline: 'managed', candidate: 'managed_mini', replay_class: 'tokenized_performance', traffic_manifest_ref: 'usage:1' });

    expectInvalid(run, 'baseline');
    expectInvalid(usage, 'traffic_manifest_ref');
    expect((await b.get('/v2/replay-runs')).body.data).toEqual([]);
  });

  it('aliasing the same name in two projects keeps each project\'s release', async () => {
    await b.put('/v2/aliases/team-chat', { releases: [{ target: 'anthropic/claude-3-5-haiku', weight: 1 }] });

    const inA = (await a.post('/v2/replay-runs', { baseline: 'team-chat', candidate: 'managed' })).body;
    const inB = (await b.post('/v2/replay-runs', { baseline: 'team-chat', candidate: 'managed' })).body;

    expect(Object.keys(inA.metrics.target_distribution.baseline).sort()).toEqual(['openai/gpt-4o', 'openai/gpt-4o-mini']);
    expect(inB.metrics.target_distribution.baseline).toEqual({ 'anthropic/claude-3-5-haiku': 1 });
    expect((await a.get('/v2/aliases')).body.data[0]).toMatchObject({ name: 'team-chat', version: 1 });
  });
});
