import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DeleteScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buckets, scheduling } from '../../../lib/catalogue.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { HOUR, isoIn, tenantApi, threeTraces, type Api } from './support.ts';

let gateway: HttpGateway;
const scheduler = new SchedulerClient({});
const s3 = new S3Client({ forcePathStyle: true });
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(async () => {
  await gateway.stop();
  scheduler.destroy();
  s3.destroy();
});

const scheduled = () => ({ baseline: 'managed', candidate: 'managed_mini', replay_class: 'tokenized_performance', traces: threeTraces, scheduled_for: isoIn(HOUR) });
const create = (api: Api, body: unknown, key?: string) => api.request('POST', '/v2/replay-runs', { body, ...(key ? { headers: { 'idempotency-key': key } } : {}) });
const runIds = async (api: Api) => (await api.get('/v2/replay-runs?limit=100')).body.data.map((run: { id: string }) => run.id);

async function manifestsOf(projectId: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: process.env[buckets.artifacts.envName], Prefix: `manifests/${projectId}/` }));
  return (page.Contents ?? []).map((object) => object.Key!);
}

describe('POST /v2/replay-runs with an Idempotency-Key', () => {
  it('answers a retry with the first run, marked replayed, and stores one run', async () => {
    // Prepare
    const { api } = await tenantApi(gateway, 'idem-retry');
    const body = scheduled();

    // Act
    const first = await create(api, body, 'create-1');
    const retry = await create(api, body, 'create-1');

    // Assess
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await runIds(api)).toEqual([first.body.id]);
  });

  it('answers the same key with another body with a 409 in the /v2 shape, creating nothing', async () => {
    const { api } = await tenantApi(gateway, 'idem-conflict');
    const first = await create(api, scheduled(), 'create-2');

    const other = await create(api, { ...scheduled(), candidate: 'byoc_us_east' }, 'create-2');

    expect(other.status).toBe(409);
    expect(other.body).toEqual({ error: { type: 'invalid_request_error', message: expect.stringContaining('Idempotency-Key') } });
    expect(await runIds(api)).toEqual([first.body.id]);
  });

  it('makes one run, one schedule and one manifest of eight concurrent retries', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'idem-race');
    const body = scheduled();

    // Act
    const responses = await Promise.all(Array.from({ length: 8 }, () => create(api, body, 'create-race')));

    // Assess
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(await runIds(api)).toEqual([id]);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(7);
    const schedule = await scheduler.send(new GetScheduleCommand({ Name: id, GroupName: process.env[scheduling.env.groupName] ?? scheduling.groupName }));
    expect(schedule.Target?.Input).toBe(JSON.stringify({ project_id: tenant.projectId, run_id: id }));
    expect(await manifestsOf(tenant.projectId)).toEqual([`manifests/${tenant.projectId}/${id}.json`]);
  });

  it('schedules again, on a retry, a run whose first request stored it but died before scheduling it', async () => {
    // Prepare: the first request's run is stored; its schedule is not (the request died in between)
    const { tenant, api } = await tenantApi(gateway, 'idem-crash');
    const body = scheduled();
    const first = await create(api, body, 'create-crash');
    const groupName = process.env[scheduling.env.groupName] ?? scheduling.groupName;
    await scheduler.send(new DeleteScheduleCommand({ Name: first.body.id, GroupName: groupName }));

    // Act
    const retry = await create(api, body, 'create-crash');
    const again = await create(api, body, 'create-crash');

    // Assess: the same run, queued, and its schedule exists again (a second retry finds it there and changes nothing)
    expect(retry.body).toEqual(first.body);
    expect(again.status).toBe(201);
    const schedule = await scheduler.send(new GetScheduleCommand({ Name: first.body.id, GroupName: groupName }));
    expect(schedule.Target?.Input).toBe(JSON.stringify({ project_id: tenant.projectId, run_id: first.body.id }));
    expect(await runIds(api)).toEqual([first.body.id]);
  });

  it('replays an inline routing_simulation too', async () => {
    const { api } = await tenantApi(gateway, 'idem-routing');
    const body = { baseline: 'managed', candidate: 'byoc_us_east' };
    const [first, retry] = [await create(api, body, 'sim-1'), await create(api, body, 'sim-1')];
    expect(first.body.status).toBe('completed');
    expect(retry.body).toEqual(first.body);
    expect(await runIds(api)).toEqual([first.body.id]);
  });

  it('scopes a key to its project, and creates a new run for a new key or none', async () => {
    const { api: a } = await tenantApi(gateway, 'idem-scope-a');
    const { api: b } = await tenantApi(gateway, 'idem-scope-b');
    const body = { baseline: 'managed', candidate: 'byoc_us_east' };

    const fromA = await create(a, body, 'shared-key');
    const fromB = await create(b, body, 'shared-key');
    const again = await create(a, body, 'another-key');
    const unkeyed = await create(a, body);

    expect(fromB.status).toBe(201);
    expect(fromB.headers.get('idempotent-replayed')).toBeNull();
    expect(new Set([fromA.body.id, fromB.body.id, again.body.id, unkeyed.body.id]).size).toBe(4);
    expect(await runIds(b)).toEqual([fromB.body.id]);
  });

  it.each([
    ['an empty key', ''],
    ['a key with a space', 'a b'],
    ['a key of 256 characters', 'k'.repeat(256)],
  ])('refuses %s with a 400 naming the header', async (_case, key) => {
    const { api } = await tenantApi(gateway, 'idem-bad-key');
    const response = await api.request('POST', '/v2/replay-runs', { body: { baseline: 'managed', candidate: 'byoc_us_east' }, headers: { 'idempotency-key': key } });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', param: 'idempotency-key' });
    expect(await runIds(api)).toEqual([]);
  });
});
