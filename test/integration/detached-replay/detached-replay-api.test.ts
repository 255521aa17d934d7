import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { apiClient } from '../../support/api-client.ts';
import { createTenant, type TestTenant } from '../../support/tenants.ts';
import { drain, purge, putObjects, routeQueueUrl, seedOutputs } from './support.ts';

let gateway: HttpGateway;
let tenant: TestTenant;
let api: ReturnType<typeof apiClient>;
const queueUrl = () => routeQueueUrl();

beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
  tenant = await createTenant('detached');
  api = apiClient(gateway.url, tenant.apiKey);
});
afterAll(() => gateway.stop());
beforeEach(() => purge(queueUrl()));

const request = (from: string, overrides: Record<string, unknown> = {}) => ({ from_execution_id: from, from_stage: 'boost/compacted', to_route: 'example-ingest', ...overrides });

describe('POST /api/v1/replay', () => {
  it("writes the ended execution once to its org's ledger, so the Replay Hub lists it as a detached replay", async () => {
    // Prepare
    const from = randomUUID();
    await seedOutputs(tenant.projectId, from, 'boost/compacted', 30);

    // Act
    const response = await api.post('/api/v1/replay', request(from));
    await drain(queueUrl(), 30);
    const history = await api.get('/api/v1/replay/history?kind=detached_replay&limit=200');

    // Assess
    expect(response.status).toBe(200);
    const entries = history.body.items.filter((item: { run_id: string }) => item.run_id === response.body.execution_id);
    expect(entries).toEqual([
      expect.objectContaining({ kind: 'detached_replay', status: 'success', actions_total: 30, actions_replayed: 30, divergences: 0, finished_at: response.body.completed_at }),
    ]);
  });

  it('publishes every object once, skipping sidecars, with the ids of the replay', async () => {
    // Prepare
    const from = randomUUID();
    const keys = await seedOutputs(tenant.projectId, from, 'boost/compacted', 2_500);

    // Act
    const response = await api.post('/api/v1/replay', request(from));
    const messages = await drain(queueUrl(), 2_500);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      from_execution_id: from,
      from_stage: 'boost/compacted',
      from_path: null,
      to_route: 'example-ingest',
      to_queue: queueUrl(),
      objects_found: 2_500,
      objects_published: 2_500,
      objects_failed: 0,
      objects_skipped: 1_250,
      status: 'publishing_complete',
      errors: null,
      lineage: [],
    });
    expect(response.body.execution_id).toMatch(/^[0-9a-f-]{14}7/);
    expect(response.body.replay_batch_id).toMatch(/^[0-9a-f-]{14}7/);
    expect(messages).toHaveLength(2_500);
    const bodies = messages.map((m) => JSON.parse(m.Body!) as { object_key: string; bucket: string });
    expect(bodies.map((b) => b.object_key).sort()).toEqual(keys);
    expect(new Set(bodies.map((b) => b.bucket)).size).toBe(1);
    const attribute = (m: (typeof messages)[number], name: string) => m.MessageAttributes?.[name]?.StringValue;
    expect(new Set(messages.map((m) => attribute(m, 'execution_id')))).toEqual(new Set([response.body.execution_id]));
    expect(new Set(messages.map((m) => attribute(m, 'replay_batch_id')))).toEqual(new Set([response.body.replay_batch_id]));
    expect(new Set(messages.map((m) => attribute(m, 'from_execution_id')))).toEqual(new Set([from]));
    const correlationIds = messages.map((m) => attribute(m, 'correlation_id'));
    expect(new Set(correlationIds).size).toBe(2_500);
    for (const message of messages.slice(0, 50)) {
      expect(attribute(message, 'correlation_id')).toBe(uuidv5(JSON.parse(message.Body!).object_key, response.body.execution_id));
    }
  });

  it('publishes every key once across pages when keys differ in case and punctuation', async () => {
    const from = randomUUID();
    const prefix = `${tenant.projectId}/${from}/stage`;
    const keys = Array.from({ length: 400 }, (_, i) => String(i).padStart(3, '0')).flatMap((n) => [
      `${prefix}/Doc-${n}.json`,
      `${prefix}/doc-${n}.json`,
      `${prefix}/doc_${n}.json`,
    ]);
    await putObjects(keys);

    const response = await api.post('/api/v1/replay', request(from, { from_stage: 'stage' }));
    const messages = await drain(queueUrl(), keys.length);

    expect(response.body).toMatchObject({ objects_found: 1_200, objects_published: 1_200, status: 'publishing_complete' });
    expect(messages.map((m) => (JSON.parse(m.Body!) as { object_key: string }).object_key).sort()).toEqual([...keys].sort());
  });

  it('replays only under from_path when given, and records the replay', async () => {
    const from = randomUUID();
    await seedOutputs(tenant.projectId, from, 'markdown_converted', 30, false);
    const response = await api.post('/api/v1/replay', request(from, { from_stage: 'markdown_converted', from_path: 'doc-0001' }));
    expect(response.body).toMatchObject({ objects_found: 10, objects_published: 10, from_path: 'doc-0001' });
    await drain(queueUrl(), 10);

    const listed = await api.get('/api/v1/replay/executions?limit=1');
    expect(listed.body.items[0].execution_id).toBe(response.body.execution_id);
    const fetched = await api.get(`/api/v1/replay/executions/${response.body.execution_id}`);
    expect(fetched.body).toEqual(response.body);
    expect(fetched.body.requested_by).toMatch(/^key_/);
  });

  it('shows the lineage of a replay of a replay', async () => {
    const origin = randomUUID();
    await seedOutputs(tenant.projectId, origin, 'stage', 3, false);
    const first = (await api.post('/api/v1/replay', request(origin, { from_stage: 'stage' }))).body;
    await seedOutputs(tenant.projectId, first.execution_id, 'stage', 3, false);
    const second = (await api.post('/api/v1/replay', request(first.execution_id, { from_stage: 'stage' }))).body;
    await seedOutputs(tenant.projectId, second.execution_id, 'stage', 3, false);
    const third = (await api.post('/api/v1/replay', request(second.execution_id, { from_stage: 'stage' }))).body;
    await drain(queueUrl(), 9);

    expect(first.lineage).toEqual([]);
    expect(second.lineage).toEqual([first.execution_id]);
    expect(third.lineage).toEqual([second.execution_id, first.execution_id]);
  });

  it.each([
    ['an unknown route', { to_route: 'nowhere' }, 404, 'route_not_found'],
    ['an empty prefix', { from_execution_id: randomUUID() }, 404, 'objects_not_found'],
    ['a ".." path', { from_path: '../other' }, 400, 'invalid_request'],
    ['a stage of slashes', { from_stage: '//' }, 400, 'invalid_request'],
  ])('answers %s with %i %s', async (_case, overrides, status, code) => {
    const response = await api.post('/api/v1/replay', request(randomUUID(), overrides));
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error_code: code, correlation_id: expect.any(String), timestamp: expect.any(String) });
  });

  it('answers 404 for a prefix holding only sidecars', async () => {
    const from = randomUUID();
    await putObjects([`${tenant.projectId}/${from}/stage/a.json.meta.json`, `${tenant.projectId}/${from}/stage/b.json.meta.json`]);
    const response = await api.post('/api/v1/replay', request(from, { from_stage: 'stage' }));
    expect(response.status).toBe(404);
    expect(response.body.error_code).toBe('objects_not_found');
  });

  it.each([
    ['a malformed execution id', { from_execution_id: 'run-1' }, ['body', 'from_execution_id'], 'uuid_parsing'],
    ['an empty stage', { from_stage: '' }, ['body', 'from_stage'], 'string_too_short'],
    ['no route', { to_route: undefined }, ['body', 'to_route'], 'missing'],
    ['an empty route', { to_route: '' }, ['body', 'to_route'], 'string_too_short'],
  ])('answers 422 for %s', async (_case, overrides, loc, type) => {
    const response = await api.post('/api/v1/replay', request(randomUUID(), overrides));
    expect(response.status).toBe(422);
    expect(response.body.detail).toEqual(expect.arrayContaining([expect.objectContaining({ loc, type })]));
  });

  it('answers 401 without a key and 422 for a malformed execution id in the path', async () => {
    expect((await apiClient(gateway.url).post('/api/v1/replay', request(randomUUID()))).status).toBe(401);
    expect((await api.get('/api/v1/replay/executions/not-a-uuid')).status).toBe(422);
    expect((await api.get(`/api/v1/replay/executions/${randomUUID()}`)).status).toBe(404);
  });

  it("keeps one project's outputs and executions from another", async () => {
    const from = randomUUID();
    await seedOutputs(tenant.projectId, from, 'stage', 2, false);
    const mine = (await api.post('/api/v1/replay', request(from, { from_stage: 'stage' }))).body;
    await drain(queueUrl(), 2);
    const stranger = apiClient(gateway.url, (await createTenant('stranger')).apiKey);

    const theirs = await stranger.post('/api/v1/replay', request(from, { from_stage: 'stage' }));

    expect(theirs.status).toBe(404);
    expect(theirs.body.error_code).toBe('objects_not_found');
    expect((await stranger.get(`/api/v1/replay/executions/${mine.execution_id}`)).status).toBe(404);
    expect((await stranger.get('/api/v1/replay/executions')).body.items).toEqual([]);
  });

  it('lists the routes with their queues', async () => {
    const routes = await api.get('/api/v1/routes');
    expect(routes.body).toEqual({ items: [{ name: 'example-ingest', queue_url: queueUrl() }] });
  });
});
