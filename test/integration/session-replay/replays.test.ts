import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import type { Pollers } from '../../../lib/local/sqs-pollers.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { harOf } from '../../support/har.ts';
import { allowLoopbackTargets, createEndpoint, deadPort, expectError, replayEnded, replayLedger, startReplayPollers, startServer, tenantApi, type Api, type LocalServer } from './support.ts';

allowLoopbackTargets();
let gateway: HttpGateway;
let pollers: Pollers;
let target: LocalServer;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
  pollers = await startReplayPollers();
  // A target that answers 200 with a JSON body, except /missing (404) and /moved (201 where 200 was recorded).
  target = await startServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url.startsWith('/missing')) response.statusCode = 404;
    if (request.url.startsWith('/created')) response.statusCode = 201;
    response.end(JSON.stringify({ id: 7, at: Date.now(), path: request.url }));
  });
});
afterAll(async () => {
  await pollers.stop();
  await gateway.stop();
  await target.stop();
});

/** Imports a HAR session on a fresh endpoint; returns the paths of the session. */
async function importedSession(api: Api, entries: Parameters<typeof harOf>[1]) {
  const endpoint = await createEndpoint(api, 'https://api.example.com');
  const imported = await api.post(`/api/v1/proxy-endpoints/${endpoint.id}/sessions/import`, harOf('https://api.example.com', entries));
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  return { endpoint, session: imported.body, base: `/api/v1/proxy-endpoints/${endpoint.id}/sessions/${imported.body.id}` };
}

/** What the target received for paths under `/r/<tag>/`, in arrival order. */
const arrivals = (tag: string) => target.received.filter((r) => r.url.startsWith(`/r/${tag}/`) || r.url.startsWith(`/missing/${tag}`) || r.url.startsWith(`/created/${tag}`));

describe('HAR import', () => {
  it('imports a HAR 1.2 document as one session in startedDateTime order, redacted like live traffic', async () => {
    const { api } = await tenantApi(gateway, 'har');
    const { session, base } = await importedSession(api, [
      { path: '/v1/b', offsetMs: 200, headers: { Authorization: 'Bearer old', Cookie: 'sid=1', ':authority': 'x' } },
      { path: '/v1/a?x=1', offsetMs: 0, method: 'POST', body: '{"a":1}', status: 201, responseBody: '{"ok":true}' },
    ]);

    const detail = (await api.get(base)).body;

    expect(session).toMatchObject({ object: 'session', grouped_by: 'import', request_count: 2, first_at: '2026-01-01T00:00:00.000Z', last_at: '2026-01-01T00:00:00.200Z' });
    expect(detail.recordings.map((r: { method: string; path: string; query: string }) => `${r.method} ${r.path}?${r.query}`)).toEqual(['POST /v1/a?x=1', 'GET /v1/b?']);
    expect(detail.recordings[0]).toMatchObject({ source: 'har', response_status: 201, request_body: { data: '{"a":1}' }, response_body: { data: '{"ok":true}' } });
    expect(detail.recordings[1].request_headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]' });
  });

  it('refuses what is not a HAR 1.2 document with a 422 that names the field', async () => {
    const { api } = await tenantApi(gateway, 'har-bad');
    const endpoint = await createEndpoint(api, 'https://api.example.com');
    const bad = await api.post(`/api/v1/proxy-endpoints/${endpoint.id}/sessions/import`, { log: { version: '1.2', entries: [{ startedDateTime: 'yesterday', time: 1, request: {}, response: {} }] } });
    const empty = await api.post(`/api/v1/proxy-endpoints/${endpoint.id}/sessions/import`, { log: { version: '1.2', entries: [] } });

    expectError(bad, 422);
    expect(bad.body.detail.map((d: { loc: unknown[] }) => d.loc.join('.'))).toEqual(expect.arrayContaining(['body.log.entries.0.startedDateTime', 'body.log.entries.0.request.method']));
    expectError(empty, 422);
    for (const startMs of [Date.parse('1969-12-31T23:59:59Z'), Date.parse('+010000-01-01T00:00:00Z')]) {
      const outOfRange = await api.post(`/api/v1/proxy-endpoints/${endpoint.id}/sessions/import`, harOf('https://api.example.com', [{ path: '/a', offsetMs: 0 }], startMs));
      expectError(outOfRange, 422);
      expect(outOfRange.body.detail.map((d: { loc: unknown[] }) => d.loc.join('.'))).toEqual(['body.log.entries.0.startedDateTime']);
    }
    expect((await api.get(`/api/v1/proxy-endpoints/${endpoint.id}/sessions`)).body.data).toEqual([]);
  });
});

describe('replays', () => {
  it('replays instantly with header overrides: recorded method, path, query and body, overrides added or replacing case-insensitively, redacted headers dropped', async () => {
    const { api } = await tenantApi(gateway, 'instant');
    const { base } = await importedSession(api, [
      { path: '/r/inst/one?q=1', offsetMs: 0, headers: { Authorization: 'Bearer old', Cookie: 'sid=old', 'X-Tenant': 'a', 'X-Keep': 'k' } },
      { path: '/r/inst/two', method: 'POST', body: '{"n":2}', offsetMs: 50_000, headers: { 'x-tenant': 'a' } },
      { path: '/missing/inst', offsetMs: 60_000 },
      { path: '/created/inst', offsetMs: 61_000 },
    ]);

    const created = await api.post(`${base}/replays`, { target_url: target.url, speed: 'instant', header_overrides: { authorization: 'Bearer fresh', 'X-TENANT': 'b' } });
    const replay = await replayEnded(api, `${base}/replays/${created.body.id}`);

    expect(created.status, JSON.stringify(created.body)).toBe(202);
    expect(created.body).toMatchObject({ status: 'queued', speed: 'instant', header_overrides: { authorization: '[redacted]', 'x-tenant': 'b' }, summary: { total: 4, passed: 0, failed: 0, pending: 4 } });
    expect(replay).toMatchObject({ status: 'completed', summary: { total: 4, sent: 4, passed: 2, failed: 2, pending: 0 }, failure_reason: null });
    expect(replay.results.map((r: { index: number; passed: boolean; expected_status: number; actual_status: number }) => [r.index, r.passed, r.expected_status, r.actual_status])).toEqual([
      [0, true, 200, 200],
      [1, true, 200, 200],
      [2, false, 200, 404],
      [3, false, 200, 201],
    ]);
    expect(replay.results[2]).toMatchObject({ method: 'GET', path: '/missing/inst', error: 'Expected status 200, got 404' });
    expect(replay.results[0].response_time_ms).toBeGreaterThanOrEqual(0);
    const [one, two] = arrivals('inst');
    expect(one).toMatchObject({ method: 'GET', url: '/r/inst/one?q=1' });
    expect(one!.headers).toMatchObject({ authorization: 'Bearer fresh', 'x-tenant': 'b', 'x-keep': 'k', host: new URL(target.url).host });
    expect(two).toMatchObject({ method: 'POST', url: '/r/inst/two' });
    expect(two!.body.toString()).toBe('{"n":2}');
    // Overrides go on every request; a redacted header without an override is not sent (its value was never kept).
    expect(two!.headers.authorization).toBe('Bearer fresh');
    expect(one!.headers.cookie).toBeUndefined();
    // Instant: the 61 s of the session took no time at all.
    expect(arrivals('inst').at(-1)!.at - one!.at).toBeLessThan(5_000);

    // One ledger submission of kind session_replay: actions are the requests, divergences the failed ones.
    const ledger = (await api.get('/api/v1/replay/history?kind=session_replay')).body;
    expect(ledger.items).toHaveLength(1);
    expect(ledger.items[0]).toMatchObject({ run_id: created.body.id, kind: 'session_replay', status: 'partial', actions_total: 4, actions_replayed: 4, divergences: 2, deployment: new URL(target.url).host });
    const details = (await api.get(`/api/v1/replay/history/${created.body.id}`)).body.items[0].divergence_details;
    expect(details).toEqual([
      { action_id: '2:GET /missing/inst', field: 'output', recorded: 200, replayed: 404 },
      { action_id: '3:GET /created/inst', field: 'output', recorded: 200, replayed: 201 },
    ]);
  });

  it.each([
    ['1x', 1],
    ['2x', 0.5],
    ['0.5x', 2],
  ] as const)('keeps the recorded offsets at %s, each measured from the replay start', async (speed, factor) => {
    const tag = `speed${speed.replace('.', '')}`;
    const { api } = await tenantApi(gateway, tag);
    const offsets = [0, 200, 250, 700];
    const { base } = await importedSession(api, offsets.map((offsetMs, i) => ({ path: `/r/${tag}/${i}`, offsetMs })));

    const created = await api.post(`${base}/replays`, { target_url: target.url, speed });
    const replay = await replayEnded(api, `${base}/replays/${created.body.id}`);

    expect(replay).toMatchObject({ status: 'completed', summary: { passed: 4, failed: 0 } });
    const seen = arrivals(tag);
    expect(seen.map((r) => r.url)).toEqual(offsets.map((_, i) => `/r/${tag}/${i}`));
    const actual = seen.map((r) => r.at - seen[0]!.at);
    for (const [i, offset] of offsets.entries()) {
      expect(replay.results[i].scheduled_offset_ms).toBe(offset * factor);
      expect(Math.abs(actual[i]! - offset * factor), `request ${i}: at ${actual[i]} ms, due at ${offset * factor} ms`).toBeLessThan(100);
    }
  });

  it('fails every request of a dead target with the reason, and still completes', async () => {
    const { api } = await tenantApi(gateway, 'dead');
    const { base } = await importedSession(api, [
      { path: '/r/dead/a', offsetMs: 0 },
      { path: '/r/dead/b', offsetMs: 10 },
    ]);

    const created = await api.post(`${base}/replays`, { target_url: `http://127.0.0.1:${await deadPort()}`, speed: 'instant' });
    const replay = await replayEnded(api, `${base}/replays/${created.body.id}`);

    expect(replay).toMatchObject({ status: 'completed', summary: { total: 2, passed: 0, failed: 2 } });
    for (const result of replay.results) expect(result).toMatchObject({ passed: false, actual_status: null, response_time_ms: null, error: expect.stringMatching(/^network_error: .*ECONNREFUSED/) });
  });

  it('compares bodies when asked, ignoring the given JSON paths, and shows the differences', async () => {
    const { api } = await tenantApi(gateway, 'body');
    const { base } = await importedSession(api, [
      { path: '/r/body/same', offsetMs: 0, responseBody: JSON.stringify({ id: 7, at: 1, path: '/r/body/same' }) },
      { path: '/r/body/diff', offsetMs: 1, responseBody: JSON.stringify({ id: 8, at: 1, path: '/r/body/diff' }) },
    ]);

    const created = await api.post(`${base}/replays`, { target_url: target.url, speed: 'instant', compare: 'status_and_body', ignore_paths: ['$.at'] });
    const replay = await replayEnded(api, `${base}/replays/${created.body.id}`);

    expect(replay.summary).toMatchObject({ passed: 1, failed: 1 });
    expect(replay.results[0]).toMatchObject({ passed: true });
    expect(replay.results[0].body_diff).toBeUndefined();
    expect(replay.results[1]).toMatchObject({ passed: false, actual_status: 200, body_diff: [{ path: '$.id', expected: 8, actual: 7 }] });
  });

  it('cancels a running replay: nothing more is sent, the requests sent keep their results, the Replay Hub shows it failed', async () => {
    const { api } = await tenantApi(gateway, 'cancel');
    const { base } = await importedSession(api, [
      { path: '/r/cancel/0', offsetMs: 0 },
      { path: '/r/cancel/1', offsetMs: 3_000 },
      { path: '/r/cancel/2', offsetMs: 4_000 },
    ]);
    const created = await api.post(`${base}/replays`, { target_url: target.url, speed: '1x' });
    const path = `${base}/replays/${created.body.id}`;
    await waitFor('the first request', async () => arrivals('cancel').length === 1, 10_000);

    const canceled = await api.post(`${path}/cancel`);
    const again = await api.post(`${path}/cancel`);
    // The window's worker stops at the next request it would send (due 3 s after the start) and counts what it sent.
    const settled = await waitFor('the canceled window to settle', async () => {
      const replay = (await api.get(path)).body;
      return replay.summary.sent === 1 && replay.results.length === 1 ? replay : undefined;
    }, 10_000);

    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    expect(canceled.body.completed_at).toEqual(expect.any(String));
    expectError(again, 400, 'invalid_request');
    expect(settled).toMatchObject({ status: 'canceled', summary: { total: 3, sent: 1, passed: 1 } });
    await waitFor('the time the last request was due', async () => Date.now() - arrivals('cancel')[0]!.at > 4_500, 10_000);
    expect(arrivals('cancel').map((r) => r.url)).toEqual(['/r/cancel/0']);
    // One submission, written by the cancel with the counts it saw (the window's worker, settling after, writes nothing more).
    const ledger = await replayLedger(api, created.body.id, 1);
    expect(ledger.items).toEqual([expect.objectContaining({ run_id: created.body.id, kind: 'session_replay', status: 'failed', actions_total: 3, finished_at: canceled.body.completed_at })]);
    expect(ledger.items[0].actions_replayed).toBeLessThanOrEqual(1);
  });

  it('refuses bad replay settings with a 422 and an empty session or a refused target with a 400', async () => {
    const { api } = await tenantApi(gateway, 'replay-bad');
    const { base } = await importedSession(api, [{ path: '/r/bad/0', offsetMs: 0 }]);

    expectError(await api.post(`${base}/replays`, { target_url: target.url, speed: '3x' }), 422);
    expectError(await api.post(`${base}/replays`, { target_url: 'ftp://x', speed: '1x' }), 422);
    expectError(await api.post(`${base}/replays`, { target_url: target.url, speed: '1x', header_overrides: { 'bad header': 'x' } }), 422);
    expectError(await api.post(`${base}/replays`, { target_url: target.url, speed: '1x', ignore_paths: ['$[?(@.x)]'] }), 422);
    expectError(await api.post(`${base}/replays`, { target_url: 'http://169.254.169.254/latest', speed: '1x' }), 400, 'invalid_request');
    expectError(await api.post(`${base}/replays`, { target_url: 'http://[::ffff:10.0.0.1]/', speed: '1x' }), 400, 'invalid_request');
    expect((await api.get(`${base}/replays`)).body.data).toEqual([]);
  });
});
