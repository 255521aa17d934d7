import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { expectInvalid, tenantApi, type Api } from './support.ts';

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

interface Page {
  object: string;
  data: { id: string; created_at: string }[];
  has_more: boolean;
  next_cursor: string | null;
}

describe('GET /v2/replay-runs', () => {
  let api: Api;
  /** Created one after another, oldest first. */
  const created: string[] = [];

  beforeAll(async () => {
    ({ api } = await tenantApi(gateway, 'listing'));
    for (let i = 0; i < 7; i++) {
      const response = await api.post('/v2/replay-runs', { baseline: 'managed', candidate: i % 2 ? 'byoc_us_east' : 'managed_mini' });
      expect(response.status).toBe(201);
      created.push(response.body.id);
    }
  });

  it('lists newest first as {object, data, has_more, next_cursor}, each entry the run object', async () => {
    const list = await api.get<Page>('/v2/replay-runs');

    expect(list.status).toBe(200);
    expect(Object.keys(list.body).sort()).toEqual(['data', 'has_more', 'next_cursor', 'object']);
    expect(list.body).toMatchObject({ object: 'list', has_more: false, next_cursor: null });
    expect(list.body.data.map((r) => r.id)).toEqual([...created].reverse());
    expect(list.body.data[0]).toEqual((await api.get(`/v2/replay-runs/${created.at(-1)}`)).body);
  });

  it('walks every run exactly once with the cursor', async () => {
    // Act
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const response: { status: number; body: Page } = await api.get<Page>(`/v2/replay-runs?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(response.status).toBe(200);
      pages.push(response.body);
      cursor = response.body.next_cursor;
    } while (cursor && pages.length < 10);

    // Assess
    expect(pages.map((p) => p.data.length)).toEqual([3, 3, 1]);
    expect(pages.map((p) => p.has_more)).toEqual([true, true, false]);
    expect(pages.at(-1)!.next_cursor).toBeNull();
    expect(pages.flatMap((p) => p.data.map((r) => r.id))).toEqual([...created].reverse());
  });

  it('ends with has_more false when the last page is exactly full', async () => {
    const first = await api.get<Page>('/v2/replay-runs?limit=7');
    expect(first.body.data).toHaveLength(7);
    expect(first.body.has_more).toBe(false);
    expect(first.body.next_cursor).toBeNull();
  });

  it('accepts limit 1 and 100, and refuses 0, 101 and a non-integer with a 400 naming limit', async () => {
    const one = await api.get<Page>('/v2/replay-runs?limit=1');
    const hundred = await api.get<Page>('/v2/replay-runs?limit=100');

    expect(one.status).toBe(200);
    expect(one.body.data.map((r) => r.id)).toEqual([created.at(-1)]);
    expect(one.body.has_more).toBe(true);
    expect(hundred.status).toBe(200);
    expect(hundred.body.data).toHaveLength(7);
    expectInvalid(await api.get('/v2/replay-runs?limit=101'), 'limit');
    expectInvalid(await api.get('/v2/replay-runs?limit=0'), 'limit');
    expectInvalid(await api.get('/v2/replay-runs?limit=ten'), 'limit');
  });

  it('refuses a cursor it did not issue with a 400 naming cursor', async () => {
    expectInvalid(await api.get(`/v2/replay-runs?cursor=${Buffer.from('nope').toString('base64url')}`), 'cursor');
    expectInvalid(await api.get(`/v2/usage-events?cursor=${Buffer.from('u1:A').toString('base64url')}`), 'cursor');
    expectInvalid(await api.get(`/v2/usage-events?cursor=${Buffer.from('nope').toString('base64url')}`), 'cursor');
  });
});
