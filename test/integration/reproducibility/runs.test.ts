import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import type { Pollers } from '../../../lib/local/sqs-pollers.ts';
import { startReplayServer, type ReplayServer } from '../../../tools/replay-server/server.ts';
import {
  createSession,
  deliverAttempt,
  expectError,
  expectInvalid,
  llmSession,
  privateAttemptQueue,
  reproducibilityStore,
  runEnded,
  startAttemptPollers,
  startRun,
  sweep,
  tenantApi,
} from './support.ts';

// Replay targets here are local servers; this file's attempts run from a queue of its own.
process.env.REPRISE_ALLOW_LOOPBACK_TARGETS = 'true';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}
interface Recorder {
  url: string;
  received: Received[];
}

const servers: { stop(): Promise<void> }[] = [];
let gateway: HttpGateway;
let pollers: Pollers;
let echo: ReplayServer;
let slowEcho: ReplayServer;
let random: ReplayServer;

/** A real local server recording every request; `answer` decides the response. */
async function recorder(answer: (received: Received, response: ServerResponse) => void = (_r, res) => res.end('{"answer":42}')): Promise<Recorder> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const entry = { headers: request.headers, body };
      received.push(entry);
      answer(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ stop: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/replay`, received };
}

beforeAll(async () => {
  const queue = await privateAttemptQueue();
  gateway = await startHttpGateway({ port: 0 });
  pollers = startAttemptPollers(queue);
  echo = await startReplayServer({ mode: 'echo' });
  // `created` is in whole seconds, as a real API's: a second between answers makes it differ.
  slowEcho = await startReplayServer({ mode: 'echo', delayMs: 1_050 });
  random = await startReplayServer({ mode: 'random' });
});
afterAll(async () => {
  await pollers?.stop();
  await Promise.all([gateway?.stop(), echo?.stop(), slowEcho?.stop(), random?.stop(), ...servers.map((s) => s.stop())]);
});

/** A run stored as create stores it, with no message anywhere: only this test drives it. */
let storedRuns = 0;
async function storedRun(projectId: string, orgId: string, n: number) {
  const id = `rep_${`${Date.now().toString(36)}${(storedRuns++).toString(36).padStart(4, '0')}`.padStart(26, '0')}`;
  await reproducibilityStore().createRun({
    id, project_id: projectId, org_id: orgId, session_id: 'ses', agent_id: 'bot', target_url: echo.url, n, concurrency: n, timeout_s: 5, ignore_paths: [],
    status: 'queued', verdict: null, created_at: new Date().toISOString(), started_at: null, completed_at: null, failure_reason: null,
    payload_kind: 'user', payload: { inline: '{"input":"hi","is_replay":true}' }, recorded: null, kicks: 0, result: null,
  });
  return id;
}

describe('the replay payload', () => {
  it('sends the LLM payload exactly as GET /api/v1/sessions/{id} shows it, with the run and attempt named in headers', async () => {
    const { api } = await tenantApi(gateway, 'payload-llm');
    const target = await recorder();
    const session = await createSession(api, llmSession('bot'));
    const shown = (await api.get(`/api/v1/sessions/${session.id}`)).body;

    const run = await startRun(api, { session_id: session.id, target_url: target.url, n: 2 });
    const ended = await runEnded(api, run.id);

    expect(shown.replay_payload).toEqual({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is the capital of France?' }], model: 'gpt-4o-mini', is_replay: true });
    expect(ended).toMatchObject({ status: 'completed', verdict: 'deterministic', payload_kind: 'llm' });
    expect(target.received.map((r) => JSON.parse(r.body))).toEqual([shown.replay_payload, shown.replay_payload]);
    expect(target.received.map((r) => r.headers['x-reprise-attempt']).sort()).toEqual(['1', '2']);
    for (const r of target.received) expect(r.headers).toMatchObject({ 'content-type': 'application/json', 'x-reprise-run-id': run.id, 'x-reprise-session-id': session.id, 'x-reprise-attempts': '2' });
  });

  it('sends the user payload when the session has no LLM request', async () => {
    const { api } = await tenantApi(gateway, 'payload-user');
    const target = await recorder();
    const session = await createSession(api, { agent_id: 'bot', events: [{ type: 'user_input', input: 'Book a table for two' }, { type: 'agent_output', output: 'Booked' }] });

    const run = await startRun(api, { session_id: session.id, target_url: target.url, n: 1 });
    const ended = await runEnded(api, run.id);

    expect(ended).toMatchObject({ status: 'completed', payload_kind: 'user' });
    expect(target.received.map((r) => JSON.parse(r.body))).toEqual([{ input: 'Book a table for two', is_replay: true }]);
  });
});

describe('at-least-once delivery', () => {
  it('makes exactly 20 requests for n = 20 at concurrency 20 when every message is delivered three times', async () => {
    const { api, tenant } = await tenantApi(gateway, 'twenty');
    const target = await recorder((_r, res) => setTimeout(() => res.end('{"answer":42}'), 30));
    const session = await createSession(api, llmSession('bot'));

    const run = await startRun(api, { session_id: session.id, target_url: target.url, n: 20, concurrency: 20 });
    // Two more copies of every message, racing the pollers' own delivery.
    const copies = await Promise.all(Array.from({ length: 40 }, (_, i) => deliverAttempt(tenant.projectId, run.id, (i % 20) + 1, 2)));
    const ended = await runEnded(api, run.id);

    expect(copies.every((c) => c.batchItemFailures.length === 0)).toBe(true);
    expect(target.received).toHaveLength(20);
    expect(new Set(target.received.map((r) => r.headers['x-reprise-attempt']))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => String(i + 1))));
    expect(ended).toMatchObject({ status: 'completed', verdict: 'deterministic', counts: { total: 20, passed: 20, failed: 0, errored: 0, pending: 0 } });
    // A late copy after the end changes nothing.
    await deliverAttempt(tenant.projectId, run.id, 7, 3);
    expect(target.received).toHaveLength(20);
    expect((await api.get(`/api/v1/reproducibility/runs/${run.id}`)).body.completed_at).toBe(ended.completed_at);
  });

  it('keeps at most `concurrency` attempts in flight', async () => {
    const { api } = await tenantApi(gateway, 'concurrency');
    let inFlight = 0;
    let most = 0;
    const target = await recorder((_r, res) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => (inFlight--, res.end('{"answer":42}')), 40);
    });
    const session = await createSession(api, llmSession('bot'));

    const ended = await runEnded(api, (await startRun(api, { session_id: session.id, target_url: target.url, n: 8, concurrency: 2 })).id);

    expect(ended.counts.passed).toBe(8);
    expect(target.received).toHaveLength(8);
    expect(most).toBeLessThanOrEqual(2);
  });
});

describe('the verdict', () => {
  it('calls the echo server deterministic, reporting id and created as noise, and writes one ledger submission', async () => {
    const { api } = await tenantApi(gateway, 'echo');
    const session = await createSession(api, llmSession('bot'));

    const run = await runEnded(api, (await startRun(api, { session_id: session.id, target_url: slowEcho.url, n: 2 })).id);
    const ledger = await api.get(`/api/v1/replay/history/${run.id}`);

    expect(run).toMatchObject({ status: 'completed', verdict: 'deterministic', output_kind: 'openai_choices', divergent_paths: [], reference_attempt: 1 });
    expect(run.noise_paths).toEqual(expect.arrayContaining([{ path: 'id', attempts: 1, reason: 'envelope' }, { path: 'created', attempts: 1, reason: 'envelope' }]));
    expect(run.attempts.map((a: { status: string }) => a.status)).toEqual(['pass', 'pass']);
    expect(run.recorded_output).toMatchObject({ attempt: 1, matches: true });
    expect(ledger.status).toBe(200);
    expect(ledger.body.items).toHaveLength(1);
    expect(ledger.body.items[0]).toMatchObject({ kind: 'reproducibility', status: 'success', actions_total: 2, actions_replayed: 2, divergences: 0 });
  });

  it('calls the random server nondeterministic, naming the content path and how many attempts differ on it', async () => {
    const { api } = await tenantApi(gateway, 'random');
    const session = await createSession(api, llmSession('bot'));

    const run = await runEnded(api, (await startRun(api, { session_id: session.id, target_url: random.url, n: 4 })).id);
    const second = await api.get(`/api/v1/reproducibility/runs/${run.id}/attempts/2`);

    expect(run).toMatchObject({ status: 'completed', verdict: 'nondeterministic', counts: { passed: 1, failed: 3 } });
    expect(run.divergent_paths).toContainEqual({ path: 'choices[0].message.content', attempts: 3 });
    expect(run.attempts[1]).toMatchObject({ status: 'fail', diverging_paths: expect.arrayContaining(['choices[0].message.content']), similarity: expect.any(Number) });
    expect(run.attempts[1].similarity).toBeLessThan(1);
    expect(second.status).toBe(200);
    expect(JSON.parse(second.body.output).choices[0].message.content).toEqual(expect.any(String));
    const ledger = (await api.get(`/api/v1/replay/history/${run.id}`)).body.items[0];
    expect(ledger).toMatchObject({ kind: 'reproducibility', status: 'partial', divergences: 3 });
    expect(ledger.divergence_details[0].action_id).toBe('choices[0].message.content');
  });

  it('ends a timed-out attempt and a 5xx answer as errors, and the verdict is error', async () => {
    const { api } = await tenantApi(gateway, 'errors');
    const target = await recorder((received, res) => {
      const attempt = received.headers['x-reprise-attempt'];
      if (attempt === '2') res.writeHead(503).end('{"error":"overloaded"}');
      else if (attempt === '3') setTimeout(() => res.end('{"answer":42}'), 2_500);
      else res.end('{"answer":42}');
    });
    const session = await createSession(api, llmSession('bot'));

    const run = await runEnded(api, (await startRun(api, { session_id: session.id, target_url: target.url, n: 3, concurrency: 3, timeout_s: 1 })).id);

    expect(run).toMatchObject({ status: 'completed', verdict: 'error', counts: { passed: 1, errored: 2 } });
    expect(run.attempts[1]).toMatchObject({ status: 'error', http_status: 503, error: 'The target answered 503' });
    expect(run.attempts[2]).toMatchObject({ status: 'error', http_status: null });
    expect(run.attempts[2].error).toMatch(/^timeout: /);
  });
});

describe('refusals', () => {
  it('answers every bad create with its status and code, and leaves no run behind', async () => {
    const { api } = await tenantApi(gateway, 'refusals');
    const { api: other } = await tenantApi(gateway, 'refusals-other');
    const replayable = await createSession(api, llmSession('no-url-agent'));
    const bare = await createSession(api, { agent_id: 'bot', events: [{ type: 'agent_output', output: 'hi' }] });
    const theirs = await createSession(other, llmSession('bot'));
    const target = 'http://127.0.0.1:9/replay';

    expectError(await api.post('/api/v1/reproducibility/runs', { session_id: 'nope', target_url: target }), 404, 'session_not_found');
    expectError(await api.post('/api/v1/reproducibility/runs', { session_id: theirs.id, target_url: target }), 404, 'session_not_found');
    const notReplayable = await api.post('/api/v1/reproducibility/runs', { session_id: bare.id, target_url: target });
    expectError(notReplayable, 409, 'session_not_replayable');
    expect(notReplayable.body.detail).toMatch(/no_replay_context/);
    expectError(await api.post('/api/v1/reproducibility/runs', { session_id: replayable.id }), 400, 'replay_url_missing');
    for (const n of [0, 21, 2.5, '5']) expectInvalid(await api.post('/api/v1/reproducibility/runs', { session_id: replayable.id, target_url: target, n }), ['body', 'n']);
    expectInvalid(await api.post('/api/v1/reproducibility/runs', { session_id: replayable.id, target_url: target, n: 3, concurrency: 4 }), ['body', 'concurrency']);
    expectInvalid(await api.post('/api/v1/reproducibility/runs', { session_id: replayable.id, target_url: target, timeout_s: 301 }), ['body', 'timeout_s']);
    expectInvalid(await api.post('/api/v1/reproducibility/runs', { session_id: replayable.id, target_url: 'ftp://example.com/' }), ['body', 'target_url']);
    expectInvalid(await api.post('/api/v1/reproducibility/runs', { session_id: replayable.id, target_url: target, extra: 1 }), ['body', 'extra']);
    expectError(await api.get('/api/v1/reproducibility/runs/rep_00000000000000000000000000'), 404, 'run_not_found');
    expect((await api.get('/api/v1/reproducibility/runs')).body.items).toEqual([]);
  });

  it("keeps runs to their project: another project's run is a 404 on every route", async () => {
    const { api } = await tenantApi(gateway, 'owner');
    const { api: other } = await tenantApi(gateway, 'stranger');
    const session = await createSession(api, llmSession('bot'));
    const run = await runEnded(api, (await startRun(api, { session_id: session.id, target_url: echo.url, n: 1 })).id);

    expectError(await other.get(`/api/v1/reproducibility/runs/${run.id}`), 404, 'run_not_found');
    expectError(await other.get(`/api/v1/reproducibility/runs/${run.id}/attempts/1`), 404, 'run_not_found');
    expectError(await other.post(`/api/v1/reproducibility/runs/${run.id}/cancel`), 404, 'run_not_found');
    const listed = await other.get(`/api/v1/reproducibility/runs?session_id=${session.id}`);
    expect(listed.body.items, JSON.stringify(listed.body)).toEqual([]);
    expect((await api.get(`/api/v1/reproducibility/runs?session_id=${session.id}`)).body.items.map((r: { id: string }) => r.id)).toEqual([run.id]);
    expect((await api.get('/api/v1/reproducibility/runs?agent_id=bot')).body.items.map((r: { id: string }) => r.id)).toEqual([run.id]);
  });
});

describe('the run status', () => {
  it('is running in the list and the run from the first attempt claimed, while no attempt has ended', async () => {
    const { api, tenant } = await tenantApi(gateway, 'status-running');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const target = await recorder((_r, res) => void held.then(() => res.end('{"answer":42}')));
    const session = await createSession(api, llmSession('bot'));

    const run = await startRun(api, { session_id: session.id, target_url: target.url, n: 3, concurrency: 3 });
    const listed = await waitFor(
      'the list to show the run running',
      async () => {
        const item = (await api.get(`/api/v1/reproducibility/runs?session_id=${session.id}`)).body.items.find((r: { id: string }) => r.id === run.id);
        return item?.status === 'running' ? item : undefined;
      },
      10_000,
      20,
    );
    const shown = (await api.get(`/api/v1/reproducibility/runs/${run.id}`)).body;
    const stored = await reproducibilityStore().getRun(tenant.projectId, run.id);
    release();
    const ended = await runEnded(api, run.id);

    expect(run.status).toBe('queued');
    expect(listed).toMatchObject({ status: 'running', completed_at: null });
    expect(shown.counts).toMatchObject({ answered: 0, passed: 0, failed: 0, errored: 0 });
    expect(shown.status).toBe('running');
    expect(stored).toMatchObject({ status: 'running', completed_at: null });
    expect(shown.attempts.map((a: { started_at: string | null }) => a.started_at)).toContain(stored!.started_at);
    expect(ended).toMatchObject({ status: 'completed', verdict: 'deterministic', counts: { passed: 3 } });
  });

  it('moves queued → running once, and never a run that has ended', async () => {
    const { tenant } = await tenantApi(gateway, 'status-write');
    const store = reproducibilityStore();
    const runId = await storedRun(tenant.projectId, tenant.orgId, 2);
    const canceledId = await storedRun(tenant.projectId, tenant.orgId, 2);
    await store.cancelRun(tenant.projectId, canceledId, new Date().toISOString());

    const marks = await Promise.all([store.markRunning(tenant.projectId, runId, '2026-11-30T10:00:00.000Z'), store.markRunning(tenant.projectId, runId, '2026-11-30T10:00:01.000Z')]);

    expect(marks.sort()).toEqual([false, true]);
    expect(await store.getRun(tenant.projectId, runId)).toMatchObject({ status: 'running', started_at: expect.stringMatching(/^2026-11-30T10:00:0[01]\.000Z$/) });
    expect(await store.markRunning(tenant.projectId, canceledId, '2026-11-30T10:00:00.000Z')).toBe(false);
    expect(await store.getRun(tenant.projectId, canceledId)).toMatchObject({ status: 'canceled', started_at: null });
  });
});

describe('attempt summaries', () => {
  it('are the attempts without their answers', async () => {
    const { tenant } = await tenantApi(gateway, 'summaries');
    const store = reproducibilityStore();
    const runId = await storedRun(tenant.projectId, tenant.orgId, 1);
    const at = new Date().toISOString();
    await store.claimAttempt(tenant.projectId, runId, { index: 1, status: 'running', token: 't', started_at: at, deadline_at: at, finished_at: null, http_status: null, latency_ms: null, body: null, body_bytes: null, excerpt: null, error: null });
    await store.finishAttempt(tenant.projectId, runId, 1, { status: 'answered', finished_at: at, http_status: 200, latency_ms: 7, body: { inline: '{"answer":42}' }, body_bytes: 13, excerpt: '{"answer":42}', error: null }, 't');

    const [full] = await store.attempts(tenant.projectId, runId);
    const summaries = await store.attemptSummaries(tenant.projectId, runId);

    expect(full!.body).toEqual({ inline: '{"answer":42}' });
    const { body: _body, ...rest } = full!;
    expect(summaries).toEqual([rest]);
    expect(summaries[0]).not.toHaveProperty('body');
  });
});

describe('the agent and its replay_url', () => {
  it("falls back to the agent's saved replay_url, and cancels the attempts that have not started", async () => {
    const { api } = await tenantApi(gateway, 'cancel');
    const target = await recorder((_r, res) => setTimeout(() => res.end('{"answer":42}'), 300));
    const session = await createSession(api, llmSession('slow-agent'));
    expect((await api.put('/api/v1/agents/slow-agent/replay-url', { replay_url: target.url })).body.replay_url).toBe(target.url);

    const run = await startRun(api, { session_id: session.id, n: 10 });
    const canceled = await api.post(`/api/v1/reproducibility/runs/${run.id}/cancel`);
    const ended = await runEnded(api, run.id);
    await new Promise((resolve) => setTimeout(resolve, 600));

    expect(canceled.status).toBe(200);
    expect(ended).toMatchObject({ status: 'canceled', verdict: null, target_url: target.url });
    expect(target.received.length).toBeLessThanOrEqual(2);
    expectError(await api.post(`/api/v1/reproducibility/runs/${run.id}/cancel`), 409, 'run_ended');
  });
});

describe('a worker that dies', () => {
  const deadClaim = (index: number) => ({
    index, status: 'running' as const, token: 'dead-worker', started_at: new Date(Date.now() - 60_000).toISOString(), deadline_at: new Date(Date.now() - 20_000).toISOString(),
    finished_at: null, http_status: null, latency_ms: null, body: null, body_bytes: null, excerpt: null, error: null,
  });

  it('ends its attempt as an error with a reason through the sweeper, and the run still completes once', async () => {
    const { api, tenant } = await tenantApi(gateway, 'dead-sweep');
    const runId = await storedRun(tenant.projectId, tenant.orgId, 1);
    expect(await reproducibilityStore().claimAttempt(tenant.projectId, runId, deadClaim(1))).toBe(true);

    await sweep();
    const run = (await api.get(`/api/v1/reproducibility/runs/${runId}`)).body;

    expect(run).toMatchObject({ status: 'completed', verdict: 'error', counts: { errored: 1 } });
    expect(run.attempts[0].error).toMatch(/worker stopped/);
    expect((await api.get(`/api/v1/replay/history/${runId}`)).body.items).toHaveLength(1);
  });

  it('ends its attempt when the message comes back after the deadline, without calling the target again', async () => {
    const { api, tenant } = await tenantApi(gateway, 'dead-redeliver');
    const before = echo.requests();
    const runId = await storedRun(tenant.projectId, tenant.orgId, 1);
    await reproducibilityStore().claimAttempt(tenant.projectId, runId, deadClaim(1));

    const delivered = await deliverAttempt(tenant.projectId, runId, 1, 2);
    const run = (await api.get(`/api/v1/reproducibility/runs/${runId}`)).body;

    expect(delivered.batchItemFailures).toEqual([]);
    expect(run).toMatchObject({ status: 'completed', verdict: 'error' });
    expect(run.attempts[0].error).toMatch(/worker stopped/);
    expect(echo.requests()).toBe(before);
  });
});
