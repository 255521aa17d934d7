import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3RecordingObjects } from '../../../functions/adapters/s3/recording-objects.ts';
import { isoTime, type ReplayRecord, type WindowMessage } from '../../../functions/core/session-replay/model.ts';
import { planKey } from '../../../functions/core/session-replay/object-keys.ts';
import { planRequests } from '../../../functions/core/session-replay/plan.ts';
import { newPrefixedId } from '../../../functions/shared/ids.ts';
import { scheduled } from '../../../lib/catalogue.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { invoke } from '../../../lib/local/invoke.ts';
import type { Pollers } from '../../../lib/local/sqs-pollers.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { harOf } from '../../support/har.ts';
import { allowLoopbackTargets, createEndpoint, deliver, expectError, proxyStore, replayEnded, replayLedger, sessionsOf, startReplayPollers, startServer, tenantApi, type Api, type LocalServer } from './support.ts';

allowLoopbackTargets();
// Windows of half a second: a 2-second session at 1x is cut into several, chained through the queue.
process.env.SESSION_REPLAY_WINDOW_SPAN_MS = '500';

let gateway: HttpGateway;
let pollers: Pollers;
let target: LocalServer;
const s3 = new S3Client({});
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
  pollers = await startReplayPollers();
  target = await startServer();
});
afterAll(async () => {
  await pollers.stop();
  await gateway.stop();
  await target.stop();
  s3.destroy();
});

const sweeper = scheduled.find((spec) => spec.entry.endsWith('sweeper.ts'))!;
const arrivals = (tag: string) => target.received.filter((r) => r.url.startsWith(`/${tag}/`));

async function importedSession(api: Api, entries: Parameters<typeof harOf>[1]) {
  const endpoint = await createEndpoint(api, 'https://api.example.com');
  const imported = await api.post(`/api/v1/proxy-endpoints/${endpoint.id}/sessions/import`, harOf('https://api.example.com', entries));
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  return { endpoint, session: imported.body, base: `/api/v1/proxy-endpoints/${endpoint.id}/sessions/${imported.body.id}` };
}

describe('tenant isolation', () => {
  it("answers 404 for another project's endpoint, session, recording and replay ids, whatever the route", async () => {
    const { api: mine } = await tenantApi(gateway, 'iso-a');
    const { api: theirs } = await tenantApi(gateway, 'iso-b');
    const own = await importedSession(mine, [{ path: '/iso/own', offsetMs: 0 }]);
    const other = await importedSession(theirs, [{ path: '/iso/other', offsetMs: 0 }]);
    const otherReplay = (await theirs.post(`${other.base}/replays`, { target_url: target.url, speed: 'instant' })).body;
    const otherRecording = (await theirs.get(other.base)).body.recordings[0];
    const ep = `/api/v1/proxy-endpoints/${other.endpoint.id}`;
    // Their session and replay ids under my own endpoint and session.
    const mixedSession = `/api/v1/proxy-endpoints/${own.endpoint.id}/sessions/${other.session.id}`;

    const answers = [
      await mine.get(ep),
      await mine.request('PATCH', ep, { body: { name: 'mine now' } }),
      await mine.request('DELETE', `${ep}?confirm=${encodeURIComponent(other.endpoint.name)}`),
      await mine.get(`${ep}/recordings`),
      await mine.get(`${ep}/sessions`),
      await mine.post(`${ep}/sessions/import`, harOf('https://x', [{ path: '/', offsetMs: 0 }])),
      await mine.get(other.base),
      await mine.get(`${other.base}/recordings/${otherRecording.id}`),
      await mine.post(`${other.base}/replays`, { target_url: target.url, speed: 'instant' }),
      await mine.get(`${other.base}/replays`),
      await mine.get(`${other.base}/replays/${otherReplay.id}`),
      await mine.post(`${other.base}/replays/${otherReplay.id}/cancel`),
      await mine.get(mixedSession),
      await mine.get(`${own.base}/replays/${otherReplay.id}`),
      await mine.get(`${own.base}/recordings/${otherRecording.id}`),
    ];

    for (const answer of answers) expectError(answer, 404);
    expect((await mine.get('/api/v1/proxy-endpoints')).body.data.map((e: { id: string }) => e.id)).toEqual([own.endpoint.id]);
    expect((await theirs.get(ep)).body.name).toBe(other.endpoint.name);
  });
});

describe('session grouping', () => {
  it('groups by client address and user agent, and opens a new session after the idle gap (store, at given times)', async () => {
    const { api, tenant } = await tenantApi(gateway, 'idle');
    const endpoint = await createEndpoint(api, target.url, { session_idle_seconds: 60 });
    const store = proxyStore();
    let n = 0;
    const newId = () => `ses_idle${++n}`;
    const client = { kind: 'client' as const, address: '203.0.113.9', userAgent: 'app/1' };
    const t0 = Date.parse('2026-05-01T10:00:00Z');

    const first = await store.resolveSession(tenant.projectId, endpoint.id, client, t0, 60_000, newId);
    const within = await store.resolveSession(tenant.projectId, endpoint.id, client, t0 + 59_000, 60_000, newId);
    const otherAgent = await store.resolveSession(tenant.projectId, endpoint.id, { ...client, userAgent: 'app/2' }, t0 + 59_500, 60_000, newId);
    const afterGap = await store.resolveSession(tenant.projectId, endpoint.id, client, t0 + 59_000 + 60_001, 60_000, newId);
    const byHeader = await store.resolveSession(tenant.projectId, endpoint.id, { kind: 'header', value: 'abc' }, t0, 60_000, newId);
    const byHeaderLater = await store.resolveSession(tenant.projectId, endpoint.id, { kind: 'header', value: 'abc' }, t0 + 86_400_000, 60_000, newId);

    expect(within).toBe(first);
    expect(otherAgent).not.toBe(first);
    expect(afterGap).not.toBe(first);
    expect(afterGap).not.toBe(otherAgent);
    expect(byHeaderLater).toBe(byHeader);
    const session = await store.getSession(tenant.projectId, endpoint.id, first);
    expect(session).toMatchObject({ grouped_by: 'client', first_at_ms: t0, last_at_ms: t0 + 59_000 });
  });

  it('groups live traffic by the session header, and without it by client and user agent', async () => {
    const { api } = await tenantApi(gateway, 'group');
    const endpoint = await createEndpoint(api, target.url, { session_header: 'X-Journey' });
    const send = (headers: Record<string, string>) => fetch(`${endpoint.proxy_url}/group/x`, { headers });
    await send({ 'x-journey': 'j1', 'user-agent': 'a' });
    await send({ 'x-journey': 'j2', 'user-agent': 'a' });
    await send({ 'x-journey': 'j1', 'user-agent': 'b' });
    await send({ 'user-agent': 'a' });
    await send({ 'user-agent': 'a' });
    await send({ 'user-agent': 'b' });

    const sessions = await sessionsOf(api, endpoint.id, { sessions: 4, requests: 6 });
    const counts = sessions.map((s) => `${(s as { grouped_by?: string }).grouped_by}:${(s as { client_session_id?: string }).client_session_id}:${s.request_count}`).sort();

    expect(counts).toEqual(['client:null:1', 'client:null:2', 'header:j1:2', 'header:j2:1']);
  });
});

describe('at-least-once delivery', () => {
  it('never sends a request twice: three copies of a window message racing the queue, and a late copy after the end', async () => {
    const { api, tenant } = await tenantApi(gateway, 'redeliver');
    const { endpoint, session, base } = await importedSession(api, Array.from({ length: 20 }, (_, i) => ({ path: `/redeliver/${i}`, offsetMs: i })));
    const created = (await api.post(`${base}/replays`, { target_url: target.url, speed: 'instant' })).body;
    const message = { type: 'window', project_id: tenant.projectId, endpoint_id: endpoint.id, session_id: session.id, replay_id: created.id, window: 0 };

    const copies = await Promise.all([deliver(message, 2), deliver(message, 2), deliver(message, 3)]);
    const replay = await replayEnded(api, `${base}/replays/${created.id}`);
    const late = await deliver(message, 4);

    for (const copy of [...copies, late]) expect(copy.batchItemFailures).toEqual([]);
    expect(replay).toMatchObject({ status: 'completed', summary: { total: 20, sent: 20, passed: 20, failed: 0 } });
    expect(arrivals('redeliver').map((r) => r.url).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `/redeliver/${i}`).sort());
  });

  it('chains windows through the queue at 1x and keeps one schedule across them', async () => {
    const { api, tenant } = await tenantApi(gateway, 'chain');
    const offsets = [0, 300, 700, 1_200, 1_900, 2_000];
    const { endpoint, session, base } = await importedSession(api, offsets.map((offsetMs, i) => ({ path: `/chain/${i}`, offsetMs })));

    const created = (await api.post(`${base}/replays`, { target_url: target.url, speed: '1x' })).body;
    const replay = await replayEnded(api, `${base}/replays/${created.id}`);

    expect(replay).toMatchObject({ status: 'completed', summary: { total: 6, sent: 6, passed: 6 } });
    const stored = await proxyStore().getReplay(tenant.projectId, endpoint.id, session.id, created.id);
    expect(stored).toMatchObject({ window_count: 4, windows_done: 4 });
    const seen = arrivals('chain');
    expect(seen.map((r) => r.url)).toEqual(offsets.map((_, i) => `/chain/${i}`));
    for (const [i, offset] of offsets.entries()) expect(Math.abs(seen[i]!.at - seen[0]!.at - offset), `request ${i}`).toBeLessThan(100);
  });
});

/**
 * An instant replay of the session's recordings, stored as a worker that
 * stopped right after finishing its first `finished` windows leaves it: those
 * windows done and counted (their requests taken as sent), and no message
 * for the next one. Windows of `perWindow` requests.
 */
async function replayLeftAfterFinishing(
  tenant: { orgId: string; projectId: string },
  imported: Awaited<ReturnType<typeof importedSession>>,
  perWindow: number,
  finished: number,
): Promise<{ replay: ReplayRecord; path: string; message: (window: number) => WindowMessage }> {
  const { endpoint, session, base } = imported;
  const store = proxyStore();
  const objects = createS3RecordingObjects(process.env.RECORDINGS_BUCKET!);
  const requests = planRequests((await store.sessionRecordings(tenant.projectId, endpoint.id, session.id, { limit: 100 })).items, 'instant');
  const windowCount = Math.ceil(requests.length / perWindow);
  const replay: ReplayRecord = {
    id: newPrefixedId('srp'), org_id: tenant.orgId, project_id: tenant.projectId, endpoint_id: endpoint.id, session_id: session.id, status: 'queued', target_url: target.url,
    speed: 'instant', header_overrides: {}, compare: 'status', ignore_paths: [], total: requests.length, sent: 0, passed: 0, failed: 0, window_count: windowCount,
    windows_done: 0, created_at: new Date().toISOString(), started_at_ms: null, completed_at: null, failure_reason: null,
  };
  for (let k = 0; k < windowCount; k++) {
    const own = requests.slice(k * perWindow, (k + 1) * perWindow);
    const spec = { first: own[0]!.index, count: own.length, start_offset_ms: 0, end_offset_ms: 0 };
    await objects.putPlan(planKey(replay, k), { spec, next_start_offset_ms: k + 1 < windowCount ? 0 : null, requests: own });
  }
  await store.createReplay(replay);
  const message = (window: number): WindowMessage => ({ type: 'window', project_id: tenant.projectId, endpoint_id: endpoint.id, session_id: session.id, replay_id: replay.id, window });
  const now = Date.now();
  const deadline = isoTime(now + 60_000);
  await store.startReplay(message(0), now, deadline);
  for (let k = 0; k < finished; k++) {
    expect(await store.claimWindow(message(k), isoTime(now), deadline)).toBe(true);
    const count = Math.min(perWindow, requests.length - k * perWindow);
    await store.finishWindow(message(k), { sent: count, passed: count, failed: 0 }, isoTime(now));
  }
  return { replay, path: `${base}/replays/${replay.id}`, message };
}

describe('a worker that stopped after finishing a window', () => {
  it("is taken over by its message's next copy: the next window is sent, the replay completes, its outcome is recorded once", async () => {
    const { api, tenant } = await tenantApi(gateway, 'resume');
    const imported = await importedSession(api, Array.from({ length: 4 }, (_, i) => ({ path: `/resume/${i}`, offsetMs: i })));
    const { replay, path, message } = await replayLeftAfterFinishing(tenant, imported, 2, 1);

    const copy = await deliver(message(0), 2);
    const ended = await replayEnded(api, path);
    await replayLedger(api, replay.id, 1);
    const late = [await deliver(message(0), 3), await deliver(message(1), 2)];
    const ledger = await replayLedger(api, replay.id, 1);

    for (const answer of [copy, ...late]) expect(answer.batchItemFailures).toEqual([]);
    expect(ended).toMatchObject({ status: 'completed', summary: { total: 4, sent: 4, passed: 4, failed: 0 } });
    // Window 0's requests went with the worker that stopped; window 1's once, from the message the copy sent.
    expect(arrivals('resume').map((r) => r.url).sort()).toEqual(['/resume/2', '/resume/3']);
    expect(ledger.items).toEqual([expect.objectContaining({ run_id: replay.id, kind: 'session_replay', status: 'success', actions_total: 4, actions_replayed: 4 })]);
  });

  it('completes a replay whose last window was finished but which was never completed', async () => {
    const { api, tenant } = await tenantApi(gateway, 'resume-last');
    const imported = await importedSession(api, [{ path: '/resume-last/0', offsetMs: 0 }]);
    const { replay, path, message } = await replayLeftAfterFinishing(tenant, imported, 1, 1);

    const copy = await deliver(message(0), 2);
    const ended = (await api.get(path)).body;
    const ledger = await replayLedger(api, replay.id, 1);

    expect(copy.batchItemFailures).toEqual([]);
    expect(ended).toMatchObject({ status: 'completed', summary: { total: 1, sent: 1, passed: 1 } });
    expect(arrivals('resume-last')).toEqual([]);
    expect(ledger.items).toEqual([expect.objectContaining({ run_id: replay.id, kind: 'session_replay', status: 'success' })]);
  });
});

describe('upkeep', () => {
  it('fails a running replay whose worker stopped mid-window, with the reason, and a late message sends nothing', async () => {
    const { api, tenant } = await tenantApi(gateway, 'stall');
    const { endpoint, session, base } = await importedSession(api, [{ path: '/stall/0', offsetMs: 0 }]);
    const store = proxyStore();
    // A replay as a worker that died after claiming its only window leaves it (no message: the test is its only driver).
    const replayId = `srp_${Date.now().toString(36).padStart(26, '0')}`;
    const ref = { type: 'window' as const, project_id: tenant.projectId, endpoint_id: endpoint.id, session_id: session.id, replay_id: replayId, window: 0 };
    const past = new Date(Date.now() - 60_000).toISOString();
    await store.createReplay({
      id: replayId, org_id: tenant.orgId, project_id: tenant.projectId, endpoint_id: endpoint.id, session_id: session.id, status: 'queued', target_url: target.url, speed: '1x',
      header_overrides: {}, compare: 'status', ignore_paths: [], total: 1, sent: 0, passed: 0, failed: 0, window_count: 1, windows_done: 0,
      created_at: new Date().toISOString(), started_at_ms: null, completed_at: null, failure_reason: null,
    });
    await store.startReplay(ref, Date.now() - 120_000, past);
    expect(await store.claimWindow(ref, past, past)).toBe(true);

    const swept = (await invoke(sweeper, { source: 'aws.events' })) as { swept: Record<string, number> };
    const replay = (await api.get(`${base}/replays/${replayId}`)).body;
    const late = await deliver(ref, 2);

    expect(swept.swept['session-replays']).toBeGreaterThanOrEqual(1);
    expect(replay).toMatchObject({ status: 'failed', summary: { total: 1, sent: 0 } });
    expect(replay.failure_reason).toMatch(/stalled.*0 of 1 windows finished/);
    expect(late.batchItemFailures).toEqual([]);
    expect(arrivals('stall')).toEqual([]);
    // The Replay Hub shows it failed (once: the late message recorded it again).
    const ledger = await replayLedger(api, replayId, 1);
    expect(ledger.items).toEqual([expect.objectContaining({ run_id: replayId, kind: 'session_replay', status: 'failed', actions_total: 1, actions_replayed: 0, finished_at: replay.completed_at })]);
  });

  it('purges a deleted endpoint: its sessions, recordings, replays and objects', async () => {
    const { api, tenant } = await tenantApi(gateway, 'purge');
    const endpoint = await createEndpoint(api, target.url);
    await fetch(`${endpoint.proxy_url}/purge/big`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(20_000) });
    const [session] = await sessionsOf(api, endpoint.id, { sessions: 1, requests: 1 });
    const base = `/api/v1/proxy-endpoints/${endpoint.id}/sessions/${session!.id}`;
    const replay = (await api.post(`${base}/replays`, { target_url: target.url, speed: 'instant' })).body;
    await replayEnded(api, `${base}/replays/${replay.id}`);
    const objects = async () =>
      (await s3.send(new ListObjectsV2Command({ Bucket: process.env.RECORDINGS_BUCKET!, Prefix: `${tenant.projectId}/${endpoint.id}/` }))).KeyCount ?? 0;
    expect(await objects()).toBeGreaterThan(0);

    expect((await api.request('DELETE', `/api/v1/proxy-endpoints/${endpoint.id}?confirm=${encodeURIComponent(endpoint.name)}`)).status).toBe(200);
    const store = proxyStore();
    await waitFor('the purge', async () => (await store.getSession(tenant.projectId, endpoint.id, session!.id)) === undefined && (await objects()) === 0, 15_000);

    expect(await store.getReplay(tenant.projectId, endpoint.id, session!.id, replay.id)).toBeUndefined();
    expect((await store.sessionRecordings(tenant.projectId, endpoint.id, session!.id, { limit: 10 })).items).toEqual([]);
    expect((await store.listRecordings(tenant.projectId, endpoint.id, { limit: 10 })).items).toEqual([]);
  });
});
