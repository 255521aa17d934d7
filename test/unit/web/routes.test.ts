import { describe, expect, it } from 'vitest';
import { historyPath, runHistoryPath } from '../../../web/src/api-client.ts';
import { DEFAULT_CHART_DAYS, DEFAULT_PAGE_SIZE, hubHref, runHref, viewOf } from '../../../web/src/routes.ts';

describe('page routes', () => {
  it('shows the hub at /replay and /replay/, with defaults', () => {
    for (const path of ['/replay', '/replay/']) {
      expect(viewOf(path, '')).toEqual({ name: 'hub', query: { limit: DEFAULT_PAGE_SIZE, days: DEFAULT_CHART_DAYS } });
    }
  });

  it('reads the filters, page size and chart window from the query string', () => {
    expect(viewOf('/replay', '?status=failed&deployment=prod-eu&limit=10&days=7')).toEqual({
      name: 'hub',
      query: { status: 'failed', deployment: 'prod-eu', limit: 10, days: 7 },
    });
  });

  it('falls back to defaults for values it does not offer', () => {
    expect(viewOf('/replay', '?status=done&deployment=%20%20&limit=1000&days=365')).toEqual({
      name: 'hub',
      query: { limit: DEFAULT_PAGE_SIZE, days: DEFAULT_CHART_DAYS },
    });
  });

  it('round-trips a hub query through its URL, leaving defaults out', () => {
    const query = { status: 'partial' as const, deployment: 'prod eu/1 & co', limit: 25, days: 90 };
    const href = hubHref(query);
    const url = new URL(href, 'http://page.test');
    expect(viewOf(url.pathname, url.search)).toEqual({ name: 'hub', query });
    expect(hubHref({ limit: DEFAULT_PAGE_SIZE, days: DEFAULT_CHART_DAYS })).toBe('/replay');
  });

  it('shows a run page for /replay/runs/{run_id}, decoding the id', () => {
    expect(viewOf('/replay/runs/run_42', '')).toEqual({ name: 'run', runId: 'run_42' });
    expect(viewOf(runHref('ci:nightly.7'), '')).toEqual({ name: 'run', runId: 'ci:nightly.7' });
    expect(runHref('a/b')).toBe('/replay/runs/a%2Fb');
  });

  it('has no view for other paths or undecodable ids', () => {
    for (const path of ['/replay/runs', '/replay/runs/a/b', '/replay/other', '/replays', '/replay/runs/%E0%A4%A']) {
      expect(viewOf(path, ''), path).toEqual({ name: 'not-found' });
    }
  });
});

describe('API paths of the page', () => {
  it('ask for a history page with its filters and cursor, encoded', () => {
    expect(historyPath({ limit: 10 })).toBe('/api/v1/replay/history?limit=10');
    const path = new URL(historyPath({ limit: 50, status: 'failed', deployment: '(none)', cursor: 'Yz+/=' }), 'http://page.test');
    expect(Object.fromEntries(path.searchParams)).toEqual({ limit: '50', status: 'failed', deployment: '(none)', cursor: 'Yz+/=' });
  });

  it("ask for a run's page by its encoded id", () => {
    expect(runHistoryPath('run 1')).toBe('/api/v1/replay/history/run%201');
    expect(runHistoryPath('r', 'c+1')).toBe('/api/v1/replay/history/r?cursor=c%2B1');
  });
});
