import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerLimits } from '../../../functions/core/ledger/limits.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { apiClient } from '../../support/api-client.ts';
import type { TestTenant } from '../../support/tenants.ts';
import { result, tenantApi, type Api } from './support.ts';

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

describe('POST /api/v1/replay/{run_id}/results', () => {
  it('stores a submission and answers 201 with it', async () => {
    // Prepare
    const { api } = await tenantApi(gateway, 'post');
    const body = result({
      status: 'partial',
      deployment: 'prod-eu',
      sdk_version: '1.4.2',
      started_at: '2026-11-25T10:00:00Z',
      finished_at: '2026-11-25T11:00:05.5+01:00',
      divergence_details: [{ action_id: 'a-1', field: 'output', recorded: { text: 'hi' }, replayed: { text: 'hello' } }],
    });

    // Act
    const response = await api.post('/api/v1/replay/run-abc/results', body);

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers.get('x-correlation-id')).toBeTruthy();
    expect(response.body).toMatchObject({ run_id: 'run-abc', ...body });
    expect(response.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(Date.parse(response.body.submitted_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('treats null optional fields as absent, as Python SDKs send them', async () => {
    const { api } = await tenantApi(gateway, 'nulls');
    const response = await api.post('/api/v1/replay/run-n/results', result({ deployment: null, divergence_details: null, sdk_version: null }));
    expect(response.status).toBe(201);
    expect(response.body).not.toHaveProperty('deployment');
    expect(response.body).not.toHaveProperty('divergence_details');
  });

  it('returns the first submission for a retried Idempotency-Key and counts it once', async () => {
    const { api } = await tenantApi(gateway, 'idem');
    const headers = { 'Idempotency-Key': 'retry-1' };
    const first = await api.post('/api/v1/replay/run-i/results', result(), headers);
    const second = await api.post('/api/v1/replay/run-i/results', result(), headers);

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await api.get('/api/v1/replay/stats')).body.submissions).toBe(1);
    expect((await api.get('/api/v1/replay/history/run-i')).body.total).toBe(1);
  });

  it('refuses an Idempotency-Key reused with another body (409) without writing', async () => {
    const { api } = await tenantApi(gateway, 'idem409');
    await api.post('/api/v1/replay/run-j/results', result(), { 'Idempotency-Key': 'k' });
    const reused = await api.post('/api/v1/replay/run-j/results', result({ divergences: 2 }), { 'Idempotency-Key': 'k' });
    const otherRun = await api.post('/api/v1/replay/run-other/results', result(), { 'Idempotency-Key': 'k' });

    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ error_code: 'idempotency_key_reused' });
    expect(otherRun.status).toBe(409);
    expect((await api.get('/api/v1/replay/stats')).body.submissions).toBe(1);
  });

  it('writes exactly once when many retries with one key race', async () => {
    const { api } = await tenantApi(gateway, 'race');
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => api.post('/api/v1/replay/run-r/results', result(), { 'Idempotency-Key': 'race-key' })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    const stats = (await api.get('/api/v1/replay/stats')).body;
    expect(stats).toEqual({ submissions: 1, actions_replayed: 8, divergences: 1, cost_saved: 0.25 });
  });

  it.each([
    ['an unknown status', { status: 'done' }, ['body', 'status'], 'enum'],
    ['a missing field', { actions_total: undefined }, ['body', 'actions_total'], 'missing'],
    ['a negative count', { divergences: -1 }, ['body', 'divergences'], 'greater_than_equal'],
    ['a fractional count', { actions_replayed: 1.5 }, ['body', 'actions_replayed'], 'int_type'],
    ['a negative saving', { cost_savings: -0.01 }, ['body', 'cost_savings'], 'greater_than_equal'],
    ['replayed above total', { actions_replayed: 11 }, ['body', 'actions_replayed'], 'value_error'],
    ['a bad timestamp', { started_at: 'yesterday' }, ['body', 'started_at'], 'datetime_parsing'],
    ['a day that does not exist', { started_at: '2026-02-30T00:00:00Z' }, ['body', 'started_at'], 'datetime_parsing'],
    ['February 29 of a common year', { finished_at: '2027-02-29T10:00:00+01:00' }, ['body', 'finished_at'], 'datetime_parsing'],
    ['finished before started', { started_at: '2026-11-25T10:00:00Z', finished_at: '2026-11-25T09:00:00Z' }, ['body', 'finished_at'], 'value_error'],
    ['a bad detail field', { divergence_details: [{ action_id: 'a', field: 'both' }] }, ['body', 'divergence_details', 0, 'field'], 'enum'],
  ])('answers 422 for %s, and writes nothing', async (_case, overrides, loc, type) => {
    const { api } = await tenantApi(gateway, 'invalid');
    const response = await api.post('/api/v1/replay/run-v/results', result(overrides));
    expect(response.status).toBe(422);
    expect(response.body.detail).toEqual(expect.arrayContaining([expect.objectContaining({ loc, type: expect.any(String) })]));
    const issue = response.body.detail.find((d: { loc: unknown[] }) => JSON.stringify(d.loc) === JSON.stringify(loc));
    expect(issue.type).toBe(type);
    expect((await api.get('/api/v1/replay/stats')).body.submissions).toBe(0);
  });

  it('answers 422 for a run id outside the allowed characters', async () => {
    const { api } = await tenantApi(gateway, 'runid');
    const response = await api.post(`/api/v1/replay/${'x'.repeat(129)}/results`, result());
    expect(response.status).toBe(422);
    expect(response.body.detail[0].loc).toEqual(['path', 'run_id']);
  });

  it('enforces the divergence_details limits at the edge', async () => {
    const { api } = await tenantApi(gateway, 'limits');
    const details = (n: number, value: unknown = 'v') =>
      Array.from({ length: n }, (_, i) => ({ action_id: `a${i}`, field: 'input', recorded: value }));
    // A JSON string of n characters serialises to n + 2 (its quotes).
    const atLimit = 'x'.repeat(ledgerLimits.maxDetailValueChars - 2);

    expect((await api.post('/api/v1/replay/r/results', result({ divergence_details: details(ledgerLimits.maxDivergenceDetails) }))).status).toBe(201);
    expect((await api.post('/api/v1/replay/r/results', result({ divergence_details: details(ledgerLimits.maxDivergenceDetails + 1) }))).status).toBe(422);
    expect((await api.post('/api/v1/replay/r/results', result({ divergence_details: details(1, atLimit) }))).status).toBe(201);
    expect((await api.post('/api/v1/replay/r/results', result({ divergence_details: details(1, `${atLimit}x`) }))).status).toBe(422);
  });

  it('answers 413 for a body over the limit, 415 for a non-JSON body and 422 for malformed JSON', async () => {
    const { api } = await tenantApi(gateway, 'body');
    const tooLarge = await api.request('POST', '/api/v1/replay/r/results', {
      raw: JSON.stringify(result({ deployment: 'x'.repeat(ledgerLimits.maxBodyBytes) })),
      headers: { 'content-type': 'application/json' },
    });
    const form = await api.request('POST', '/api/v1/replay/r/results', { raw: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const malformed = await api.request('POST', '/api/v1/replay/r/results', { raw: '{"status":', headers: { 'content-type': 'application/json' } });
    const empty = await api.request('POST', '/api/v1/replay/r/results', { headers: { 'content-type': 'application/json' } });

    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error_code).toBe('payload_too_large');
    expect(form.status).toBe(415);
    expect(malformed.status).toBe(422);
    expect(malformed.body.detail[0]).toMatchObject({ loc: ['body'], type: 'json_invalid' });
    expect(empty.status).toBe(422);
  });

  it('refuses an Idempotency-Key that is too long or not printable', async () => {
    const { api } = await tenantApi(gateway, 'idemkey');
    const long = await api.post('/api/v1/replay/r/results', result(), { 'Idempotency-Key': 'k'.repeat(256) });
    expect(long.status).toBe(422);
    expect(long.body.detail[0].loc).toEqual(['header', 'idempotency-key']);
  });
});

describe('GET /api/v1/replay/history', () => {
  let api: Api;
  let posted: { id: string; run_id: string }[];

  beforeAll(async () => {
    ({ api } = await tenantApi(gateway, 'history'));
    posted = [];
    // Sequential on purpose: the order of writes is the order history must show (newest first).
    for (let i = 0; i < 125; i++) {
      const response = await api.post(`/api/v1/replay/run-${i % 7}/results`, result({ divergences: i % 3, divergence_details: [{ action_id: `a${i}`, field: 'input' }] }));
      posted.push(response.body);
    }
  });

  it('lists newest first with the default page of 50, total and a cursor', async () => {
    const response = await api.get('/api/v1/replay/history');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ total: 125, skip: 0, limit: ledgerLimits.defaultPageSize });
    expect(response.body.items.map((i: { id: string }) => i.id)).toEqual(posted.slice(-50).reverse().map((p) => p.id));
    expect(response.body.next_cursor).toEqual(expect.any(String));
    expect(response.body.items[0]).not.toHaveProperty('divergence_details');
  });

  it('serves /history/ like /history', async () => {
    const withSlash = await api.get('/api/v1/replay/history/?limit=3');
    expect(withSlash.status).toBe(200);
    expect(withSlash.body.items).toHaveLength(3);
  });

  it('pages with skip and limit', async () => {
    const response = await api.get('/api/v1/replay/history?skip=120&limit=10');
    expect(response.body.items.map((i: { id: string }) => i.id)).toEqual(posted.slice(0, 5).reverse().map((p) => p.id));
    expect(response.body.next_cursor).toBeNull();
    const beyond = await api.get('/api/v1/replay/history?skip=500');
    expect(beyond.body.items).toEqual([]);
  });

  it('walks the whole history with cursors, each item once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: { items: { id: string }[]; next_cursor: string | null } } = await api.get(
        `/api/v1/replay/history?limit=40${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual(posted.map((p) => p.id).reverse());
  });

  it.each([
    ['limit=201', 'limit', 'less_than_equal'],
    ['limit=0', 'limit', 'greater_than_equal'],
    ['limit=abc', 'limit', 'int_parsing'],
    ['limit=1.5', 'limit', 'int_parsing'],
    ['skip=-1', 'skip', 'greater_than_equal'],
    ['cursor=garbage', 'cursor', 'value_error'],
    ['skip=5&cursor=Yz', 'cursor', 'value_error'],
  ])('answers 422 for %s', async (query, param, type) => {
    const response = await api.get(`/api/v1/replay/history?${query}`);
    expect(response.status).toBe(422);
    expect(response.body.detail[0]).toMatchObject({ loc: ['query', param], type });
  });

  it('accepts the largest page', async () => {
    const response = await api.get('/api/v1/replay/history?limit=200');
    expect(response.status).toBe(200);
    expect(response.body.items).toHaveLength(125);
  });
});

describe('GET /api/v1/replay/history/{run_id} and /stats', () => {
  it("lists one run's submissions newest first, with details", async () => {
    const { api } = await tenantApi(gateway, 'run');
    const first = await api.post('/api/v1/replay/run-x/results', result({ divergence_details: [{ action_id: 'a', field: 'input', recorded: 1, replayed: 2 }] }));
    await api.post('/api/v1/replay/run-y/results', result());
    const second = await api.post('/api/v1/replay/run-x/results', result({ status: 'failed' }));

    const response = await api.get('/api/v1/replay/history/run-x');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ run_id: 'run-x', total: 2, next_cursor: null });
    expect(response.body.items.map((i: { id: string }) => i.id)).toEqual([second.body.id, first.body.id]);
    expect(response.body.items[1].divergence_details).toEqual([{ action_id: 'a', field: 'input', recorded: 1, replayed: 2 }]);
  });

  it('answers 404 in the API error shape for a run without submissions', async () => {
    const { api } = await tenantApi(gateway, 'run404');
    const response = await api.get('/api/v1/replay/history/never-ran');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error_code: 'run_not_found', correlation_id: expect.any(String), timestamp: expect.any(String) });
    expect(response.body.detail).toContain('never-ran');
  });

  it('keeps exact totals, money in micro-dollars', async () => {
    const { api } = await tenantApi(gateway, 'stats');
    for (let i = 0; i < 10; i++) await api.post('/api/v1/replay/s/results', result({ cost_savings: 0.1, actions_replayed: i, actions_total: 10, divergences: 2 }));
    const stats = await api.get('/api/v1/replay/stats');
    expect(stats.body).toEqual({ submissions: 10, actions_replayed: 45, divergences: 20, cost_saved: 1 });
  });

  it('keeps totals readable past 2^53 micro-dollars', async () => {
    const { api } = await tenantApi(gateway, 'huge');
    for (let i = 0; i < 10; i++) {
      expect((await api.post('/api/v1/replay/big/results', result({ cost_savings: ledgerLimits.maxCostSavingsUsd }))).status).toBe(201);
    }
    const stats = await api.get('/api/v1/replay/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.cost_saved).toBe(10 * ledgerLimits.maxCostSavingsUsd);
  });

  it('starts at zero for a new org', async () => {
    const { api } = await tenantApi(gateway, 'empty');
    expect((await api.get('/api/v1/replay/stats')).body).toEqual({ submissions: 0, actions_replayed: 0, divergences: 0, cost_saved: 0 });
    expect((await api.get('/api/v1/replay/history')).body).toMatchObject({ items: [], total: 0, next_cursor: null });
  });
});

describe('tenant isolation and auth', () => {
  let owner: { tenant: TestTenant; api: Api };
  let stranger: Api;

  beforeAll(async () => {
    owner = await tenantApi(gateway, 'owner');
    stranger = (await tenantApi(gateway, 'stranger')).api;
    await owner.api.post('/api/v1/replay/secret-run/results', result());
  });

  it("shows another org's key none of the data", async () => {
    expect((await stranger.get('/api/v1/replay/history')).body).toMatchObject({ items: [], total: 0 });
    expect((await stranger.get('/api/v1/replay/history/secret-run')).status).toBe(404);
    expect((await stranger.get('/api/v1/replay/stats')).body.submissions).toBe(0);
  });

  it("does not let a cursor cross into another org's history", async () => {
    const page = await owner.api.get('/api/v1/replay/history?limit=1');
    const cursor = encodeURIComponent(String(page.body.next_cursor ?? Buffer.from(`c1:${page.body.items[0].id}`).toString('base64url')));
    const crossed = await stranger.get(`/api/v1/replay/history?cursor=${cursor}`);
    expect(crossed.status).toBe(200);
    expect(crossed.body.items).toEqual([]);
  });

  it.each([
    ['no header', undefined],
    ['a malformed key', 'Bearer not-a-key'],
    ['an unknown key', `Bearer rpr_${'A'.repeat(43)}`],
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
  ])('answers 401 invalid_api_key for %s', async (_case, authorization) => {
    const api = apiClient(gateway.url);
    const response = await api.get('/api/v1/replay/stats', authorization ? { authorization } : undefined);
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error_code: 'invalid_api_key', correlation_id: expect.any(String) });
    expect(response.headers.get('x-correlation-id')).toBe(response.body.correlation_id);
  });
});
