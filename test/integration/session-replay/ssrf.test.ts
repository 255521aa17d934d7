import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoProxyStore } from '../../../functions/adapters/dynamodb/proxy-store.ts';
import { createS3RecordingObjects } from '../../../functions/adapters/s3/recording-objects.ts';
import { planKey } from '../../../functions/core/session-replay/object-keys.ts';
import { planRequests, planWindows } from '../../../functions/core/session-replay/plan.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { harOf } from '../../support/har.ts';
import { createEndpoint, deliver, expectError, startServer, tenantApi, type LocalServer } from './support.ts';

// This file runs as on AWS: loopback targets are refused (the platform's setting stays off here).
process.env.REPRISE_ALLOW_LOOPBACK_TARGETS = 'false';
let gateway: HttpGateway;
let local: LocalServer;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
  local = await startServer();
});
afterAll(async () => {
  await gateway.stop();
  await local.stop();
});

describe('outbound address policy', () => {
  it.each(['http://169.254.169.254/latest/meta-data', 'http://10.0.0.8/', 'http://[::1]:8080/', 'http://127.0.0.1:9/', 'http://[::ffff:192.168.0.1]/', 'http://0.0.0.0/'])(
    'refuses %s as an upstream, at create and at update, before any request',
    async (url) => {
      const { api } = await tenantApi(gateway, 'ssrf-literal');
      const endpoint = await createEndpoint(api, 'https://api.example.com');

      const created = await api.post('/api/v1/proxy-endpoints', { name: 'x', upstream_url: url, recording: true });
      const patched = await api.request('PATCH', `/api/v1/proxy-endpoints/${endpoint.id}`, { body: { upstream_url: url } });

      expectError(created, 400, 'invalid_request');
      expect(created.body.detail).toMatch(/not a public address/);
      expectError(patched, 400, 'invalid_request');
      expect((await api.get(`/api/v1/proxy-endpoints/${endpoint.id}`)).body.upstream_url).toBe('https://api.example.com');
    },
  );

  it('refuses an upstream whose name resolves to a loopback address when the request connects (502, nothing reaches it)', async () => {
    const { api } = await tenantApi(gateway, 'ssrf-dns');
    const endpoint = await createEndpoint(api, `http://localhost:${new URL(local.url).port}`);

    const response = await fetch(`${endpoint.proxy_url}/secret`);
    const body = (await response.json()) as { error_code: string; detail: string };

    expect(response.status).toBe(502);
    expect(body.error_code).toBe('upstream_blocked');
    expect(body.detail).toMatch(/localhost is, or resolves to, an address that is not public/);
    expect(local.received).toEqual([]);
  });

  it('fails each replayed request to a target whose name resolves to a loopback address, and sends none', async () => {
    const { api, tenant } = await tenantApi(gateway, 'ssrf-target');
    const endpoint = await createEndpoint(api, 'https://api.example.com');
    const session = (await api.post(`/api/v1/proxy-endpoints/${endpoint.id}/sessions/import`, harOf('https://api.example.com', [{ path: '/t', offsetMs: 0 }]))).body;
    const store = createDynamoProxyStore(process.env.PROXY_TABLE!);
    // Planned as the API plans it, but driven only by this test (no message on the shared queue,
    // whose other consumers may allow loopback targets).
    const recordings = (await store.sessionRecordings(tenant.projectId, endpoint.id, session.id, { limit: 10 })).items;
    const requests = planRequests(recordings, 'instant');
    const [spec] = planWindows(requests, 'instant');
    const replay = {
      id: `srp_${Date.now().toString(36).padStart(26, '0')}`, org_id: tenant.orgId, project_id: tenant.projectId, endpoint_id: endpoint.id, session_id: session.id, status: 'queued' as const,
      target_url: `http://localhost:${new URL(local.url).port}`, speed: 'instant' as const, header_overrides: {}, compare: 'status' as const, ignore_paths: [],
      total: 1, sent: 0, passed: 0, failed: 0, window_count: 1, windows_done: 0, created_at: new Date().toISOString(), started_at_ms: null, completed_at: null, failure_reason: null,
    };
    await createS3RecordingObjects(process.env.RECORDINGS_BUCKET!).putPlan(planKey(replay, 0), { spec: spec!, next_start_offset_ms: null, requests });
    await store.createReplay(replay);

    const delivered = await deliver({ type: 'window', project_id: tenant.projectId, endpoint_id: endpoint.id, session_id: session.id, replay_id: replay.id, window: 0 });
    const result = (await api.get(`/api/v1/proxy-endpoints/${endpoint.id}/sessions/${session.id}/replays/${replay.id}`)).body;

    expect(delivered.batchItemFailures).toEqual([]);
    expect(result).toMatchObject({ status: 'completed', summary: { total: 1, sent: 1, failed: 1 } });
    expect(result.results[0].error).toMatch(/^blocked_address: localhost is, or resolves to, an address that is not public/);
    expect(local.received).toEqual([]);
  });
});
