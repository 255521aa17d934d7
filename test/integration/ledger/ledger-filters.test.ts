import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_DEPLOYMENT } from '../../../functions/core/ledger/history-filter.ts';
import { ledgerLimits } from '../../../functions/core/ledger/limits.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { apiClient } from '../../support/api-client.ts';
import { result, tenantApi, type Api } from './support.ts';

type Item = { id: string; run_id: string; status: string; deployment?: string };

const today = () => new Date().toISOString().slice(0, 10);

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

/** Follows next_cursor through a (filtered) list; returns every item and every page's total. */
async function walk(api: Api, query: string, limit: number) {
  const items: Item[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { items: Item[]; total: number; next_cursor: string | null } } = await api.get(
      `/api/v1/replay/history?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    totals.push(page.body.total);
    cursor = page.body.next_cursor;
  } while (cursor && totals.length < 50);
  return { items, totals };
}

describe('GET /api/v1/replay/history with status and deployment', () => {
  let api: Api;
  const posted: Item[] = [];
  const statuses = ['success', 'partial', 'failed'] as const;
  // A deployment that looks like a key of another list must stay its own list.
  const deployments = ['prod-eu', 'canary', undefined, 'x#STATUS#success', 'déploiement ✓'];

  beforeAll(async () => {
    ({ api } = await tenantApi(gateway, 'filters'));
    // Sequential on purpose: the order of writes is the order history must show (newest first).
    for (let i = 0; i < 45; i++) {
      const deployment = deployments[i % deployments.length];
      const response = await api.post(
        `/api/v1/replay/run-${i}/results`,
        result({ status: statuses[i % 3], divergences: i % 4, ...(deployment ? { deployment } : {}), divergence_details: [{ action_id: `a${i}`, field: 'output' }] }),
      );
      expect(response.status).toBe(201);
      posted.push(response.body);
    }
  });

  const newestFirst = (keep: (item: Item) => boolean) => posted.filter(keep).reverse().map((p) => p.id);

  it('narrows to one status, every page with the filtered total', async () => {
    const { items, totals } = await walk(api, 'status=failed', 4);
    expect(items.map((i) => i.id)).toEqual(newestFirst((p) => p.status === 'failed'));
    expect(new Set(totals)).toEqual(new Set([15]));
    expect(totals).toHaveLength(4);
    for (const item of items) expect(item).not.toHaveProperty('divergence_details');
  });

  it('narrows to one deployment, with characters that need encoding', async () => {
    for (const deployment of ['prod-eu', 'x#STATUS#success', 'déploiement ✓']) {
      const { items, totals } = await walk(api, `deployment=${encodeURIComponent(deployment)}`, 5);
      expect(items.map((i) => i.id), deployment).toEqual(newestFirst((p) => p.deployment === deployment));
      expect(totals[0], deployment).toBe(9);
    }
  });

  it(`selects the submissions sent without a deployment with ${NO_DEPLOYMENT}`, async () => {
    const { items, totals } = await walk(api, `deployment=${encodeURIComponent(NO_DEPLOYMENT)}`, 200);
    expect(items.map((i) => i.id)).toEqual(newestFirst((p) => p.deployment === undefined));
    expect(totals).toEqual([9]);
  });

  it('combines status and deployment, paging within the combination', async () => {
    const { items, totals } = await walk(api, 'status=success&deployment=canary', 1);
    const expected = newestFirst((p) => p.status === 'success' && p.deployment === 'canary');
    expect(expected.length).toBe(3);
    expect(items.map((i) => i.id)).toEqual(expected);
    expect(totals).toEqual([3, 3, 3]);
  });

  it('pages a filtered list with skip too', async () => {
    const response = await api.get('/api/v1/replay/history?status=partial&skip=10&limit=10');
    expect(response.body.items.map((i: Item) => i.id)).toEqual(newestFirst((p) => p.status === 'partial').slice(10));
    expect(response.body).toMatchObject({ total: 15, skip: 10, next_cursor: null });
  });

  it('keeps the unfiltered list and total as they were', async () => {
    const { items, totals } = await walk(api, 'skip=0', 200);
    expect(items.map((i) => i.id)).toEqual(newestFirst(() => true));
    expect(totals).toEqual([45]);
  });

  it('answers an empty list with total 0 for a deployment that never ran', async () => {
    const response = await api.get('/api/v1/replay/history?deployment=nowhere&status=failed');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ items: [], total: 0, next_cursor: null });
  });

  it.each([
    ['status=done', 'status', 'enum'],
    ['status=', 'status', 'enum'],
    ['deployment=', 'deployment', 'string_too_short'],
    [`deployment=${'d'.repeat(ledgerLimits.maxTextChars + 1)}`, 'deployment', 'string_too_long'],
  ])('answers 422 for %s', async (query, param, type) => {
    const response = await api.get(`/api/v1/replay/history?${query}`);
    expect(response.status).toBe(422);
    expect(response.body.detail[0]).toMatchObject({ loc: ['query', param], type });
  });
});

describe('GET /api/v1/replay/stats/daily', () => {
  it("counts today's submissions and divergences per deployment", async () => {
    // Prepare
    const { api } = await tenantApi(gateway, 'daily');
    for (const [deployment, divergences] of [
      ['prod-eu', 2],
      ['prod-eu', 3],
      ['canary', 0],
      [undefined, 5],
    ] as const) {
      expect((await api.post('/api/v1/replay/r/results', result({ divergences, ...(deployment ? { deployment } : {}) }))).status).toBe(201);
    }

    // Act
    const response = await api.get('/api/v1/replay/stats/daily');
    const week = await api.get('/api/v1/replay/stats/daily?days=7');

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ days: ledgerLimits.defaultDailyDays, to: today() });
    expect(response.body.from).toBe(new Date(Date.parse(`${today()}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10));
    expect(response.body.items).toEqual([
      { day: today(), deployment: NO_DEPLOYMENT, submissions: 1, divergences: 5 },
      { day: today(), deployment: 'canary', submissions: 1, divergences: 0 },
      { day: today(), deployment: 'prod-eu', submissions: 2, divergences: 5 },
    ]);
    expect(week.body).toMatchObject({ days: 7, items: response.body.items });
  });

  it('answers the 20 busiest deployments and sums the rest as (other), from DynamoDB', async () => {
    // Prepare: 22 deployments; busy-a and busy-b twice, the 20 others once (dep-00 … dep-19).
    const { api } = await tenantApi(gateway, 'daily-cap');
    const deployments = ['busy-a', 'busy-a', 'busy-b', 'busy-b', ...Array.from({ length: 20 }, (_, i) => `dep-${String(i).padStart(2, '0')}`)];
    for (const deployment of deployments) expect((await api.post('/api/v1/replay/r/results', result({ deployment }))).status).toBe(201);

    // Act
    const response = await api.get('/api/v1/replay/stats/daily?days=1');

    // Assess: busy-a, busy-b and dep-00 … dep-17 (ties by name); dep-18 and dep-19 summed.
    expect(response.status).toBe(200);
    expect(response.body.items).toHaveLength(21);
    expect(response.body.items.filter((i: { deployment: string }) => ['busy-a', 'busy-b', 'dep-17', 'dep-18', '(other)'].includes(i.deployment))).toEqual([
      { day: today(), deployment: '(other)', submissions: 2, divergences: 2 },
      { day: today(), deployment: 'busy-a', submissions: 2, divergences: 2 },
      { day: today(), deployment: 'busy-b', submissions: 2, divergences: 2 },
      { day: today(), deployment: 'dep-17', submissions: 1, divergences: 1 },
    ]);
  });

  it('starts empty for a new org and never shows another org', async () => {
    const { api: owner } = await tenantApi(gateway, 'daily-owner');
    const { api: stranger } = await tenantApi(gateway, 'daily-stranger');
    await owner.post('/api/v1/replay/r/results', result({ deployment: 'prod' }));
    expect((await stranger.get('/api/v1/replay/stats/daily')).body.items).toEqual([]);
    expect((await stranger.get('/api/v1/replay/history?deployment=prod')).body).toMatchObject({ items: [], total: 0 });
  });

  it.each([
    ['days=0', 'greater_than_equal'],
    [`days=${ledgerLimits.maxDailyDays + 1}`, 'less_than_equal'],
    ['days=week', 'int_parsing'],
  ])('answers 422 for %s', async (query, type) => {
    const { api } = await tenantApi(gateway, 'daily-422');
    const response = await api.get(`/api/v1/replay/stats/daily?${query}`);
    expect(response.status).toBe(422);
    expect(response.body.detail[0]).toMatchObject({ loc: ['query', 'days'], type });
  });

  it('accepts the longest window', async () => {
    const { api } = await tenantApi(gateway, 'daily-90');
    const response = await api.get(`/api/v1/replay/stats/daily?days=${ledgerLimits.maxDailyDays}`);
    expect(response.status).toBe(200);
    expect(response.body.days).toBe(ledgerLimits.maxDailyDays);
  });

  it('answers 401 without a key', async () => {
    const response = await apiClient(gateway.url).get('/api/v1/replay/stats/daily');
    expect(response.status).toBe(401);
    expect(response.body.error_code).toBe('invalid_api_key');
  });
});

describe('idempotent retries', () => {
  it('count once in the filtered lists, their totals and the daily counters, however they race', async () => {
    // Prepare
    const { api } = await tenantApi(gateway, 'idem-filters');
    const body = result({ status: 'partial', deployment: 'prod-eu', divergences: 4 });
    const headers = { 'Idempotency-Key': 'sdk-attempt-1' };

    // Act: one retry after the fact, then a burst of concurrent ones
    const first = await api.post('/api/v1/replay/run-1/results', body, headers);
    const retried = await api.post('/api/v1/replay/run-1/results', body, headers);
    const burst = await Promise.all(Array.from({ length: 8 }, () => api.post('/api/v1/replay/run-1/results', body, headers)));
    const other = await api.post('/api/v1/replay/run-2/results', result({ status: 'partial', deployment: 'prod-eu', divergences: 1 }));

    // Assess
    expect([first, retried, ...burst].map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set([retried, ...burst].map((r) => r.body.id))).toEqual(new Set([first.body.id]));
    for (const query of ['status=partial', 'deployment=prod-eu', 'status=partial&deployment=prod-eu', 'skip=0']) {
      const page = await api.get(`/api/v1/replay/history?${query}`);
      expect(page.body.items.map((i: Item) => i.id), query).toEqual([other.body.id, first.body.id]);
      expect(page.body.total, query).toBe(2);
    }
    expect((await api.get('/api/v1/replay/stats/daily?days=1')).body.items).toEqual([{ day: today(), deployment: 'prod-eu', submissions: 2, divergences: 5 }]);
  });

  it('write nothing anywhere when the key is reused with another body', async () => {
    const { api } = await tenantApi(gateway, 'idem-409');
    await api.post('/api/v1/replay/run-1/results', result({ deployment: 'prod' }), { 'Idempotency-Key': 'k' });
    const conflict = await api.post('/api/v1/replay/run-1/results', result({ deployment: 'canary', status: 'failed' }), { 'Idempotency-Key': 'k' });
    expect(conflict.status).toBe(409);
    expect((await api.get('/api/v1/replay/history?deployment=canary')).body).toMatchObject({ items: [], total: 0 });
    expect((await api.get('/api/v1/replay/history?status=failed')).body.total).toBe(0);
    expect((await api.get('/api/v1/replay/stats/daily')).body.items).toEqual([{ day: today(), deployment: 'prod', submissions: 1, divergences: 1 }]);
  });
});
