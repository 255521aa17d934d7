import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '../../../functions/adapters/aws/dynamodb-client.ts';
import { MAX_PURGES_PER_NAMESPACE } from '../../../functions/core/replay-runs/namespaces.ts';
import { sessionReplayLimits } from '../../../functions/core/session-replay/limits.ts';
import * as sessionReplay from '../../../functions/http/session-replay/contract.ts';
import type { RouteContract } from '../../../functions/shared/http/contract.ts';
import { routes } from '../../../lib/catalogue.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { createRouteMatcher } from '../../../lib/route-matcher.ts';
import { seedOutputs } from '../detached-replay/support.ts';
import { deliver, isoIn, HOUR, threeTraces } from '../replay-runs/support.ts';
import { deliverAttempt, llmSession } from '../reproducibility/support.ts';
import { startServer, type LocalServer } from '../session-replay/support.ts';
import { createTenant, type TestTenant } from '../../support/tenants.ts';
import {
  documented,
  exampleRequest,
  fillPath,
  maxBodyBytesOf,
  openApiDocument,
  openApiValidator,
  contractTestEnvironment,
  methodOf,
  send,
  type TestRequest,
  type TestResponse,
} from './support.ts';

/*
 * The OpenAPI document is the contract: every status of every documented
 * operation is produced here against the real local platform, and each real
 * response is validated against the document (Ajv, JSON Schema 2020-12).
 *
 * A new route joins by being in `contracts` (functions/http/contracts.ts):
 * its example request gives its 2xx, and the frame's statuses (401, 413,
 * 415, 422/400, 405) are produced generically. What only its logic answers
 * (a 404 of an existing-looking id, a 409, a 202, a domain 400) needs a
 * scenario below, keyed by operationId and status; the first test fails
 * until every documented status has one.
 */

interface Context {
  tenant: TestTenant;
  /** Sends with this tenant's key. */
  call(request: TestRequest): Promise<TestResponse>;
}
type Scenario = (ctx: Context, contract: RouteContract) => Promise<TestRequest>;

/** Statuses no request can provoke here; each one with the reason. */
const NOT_PROVOKED: Record<string, string> = {
  500: 'an internal error: none is known (the fuzz test looks for them)',
  503: 'a dependency failing: the emulators are up for the whole suite',
};

/** The same, for one operation. */
const NOT_PROVOKED_BY: Record<string, Record<number, string>> = {
  proxyRoot: {
    422: 'only a path value with a lone surrogate, which no request through the gateway can carry (the frame test sends one)',
    504: 'the upstream timeout is 25 s; the session replay recording tests cover the upstream errors',
  },
  proxyPath: {
    422: 'only a path value with a lone surrogate, which no request through the gateway can carry (the frame test sends one)',
    504: 'the upstream timeout is 25 s; the session replay recording tests cover the upstream errors',
  },
  appendAgentSessionEvents: {
    409: 'session_busy: only when other appends to the same session win its conditional write 8 times in a row',
  },
};

const postResult = async (ctx: Context, runId: string) => {
  const response = await ctx.call({ method: 'POST', path: `/api/v1/replay/${runId}/results`, body: { status: 'success', actions_replayed: 1, actions_total: 1, divergences: 0, cost_savings: 0 } });
  expect(response.status).toBe(201);
};
const createRun = async (ctx: Context, body: Record<string, unknown>) => {
  const response = await ctx.call({ method: 'POST', path: '/v2/replay-runs', body });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string };
};
const queuedRun = (ctx: Context) => createRun(ctx, { baseline: 'managed', candidate: 'managed_mini', replay_class: 'tokenized_performance', traces: threeTraces, scheduled_for: isoIn(HOUR) });
const completedTokenizedRun = async (ctx: Context) => {
  const thirty = Array.from({ length: 10 }, () => threeTraces).flat();
  const run = await createRun(ctx, { baseline: 'managed', candidate: 'managed_mini', replay_class: 'tokenized_performance', traces: thirty, scheduled_for: isoIn(HOUR) });
  expect((await deliver(ctx.tenant.projectId, run.id)).batchItemFailures).toEqual([]);
  return run;
};
const thirtyTraces = Array.from({ length: 10 }, () => threeTraces).flat();
/** A body of each class that runs (scheduled ahead: only this file's deliveries run it). */
const classBodies = {
  synthetic: { baseline: 'managed', candidate: 'managed_mini', replay_class: 'synthetic_performance', traces: thirtyTraces.map((t) => ({ ...t, ttft_ms: 300 })), repetitions: 2 },
  purge: {
    baseline: 'managed',
    candidate: 'managed',
    replay_class: 'purge_verification',
    traces: [{ input_tokens: 10, output_tokens: 1, realized_reused_tokens: 5, namespace_generation: 'ns:1' }],
  },
  fullFidelity: {
    baseline: 'managed',
    candidate: 'byoc_us_east',
    replay_class: 'full_fidelity_evaluation',
    traces: [{ input_tokens: 12, output_tokens: 4, messages: [{ role: 'user', content: 'Say hello.' }] }],
    max_spend_usd: 1,
  },
} as const;
const completedRun = async (ctx: Context, body: Record<string, unknown>) => {
  const run = await createRun(ctx, { ...body, scheduled_for: isoIn(HOUR) });
  expect((await deliver(ctx.tenant.projectId, run.id)).batchItemFailures).toEqual([]);
  return run;
};
const runPath = (contract: RouteContract, id: string) => fillPath(contract.path, { replay_run_id: id });
const startDetached = async (ctx: Context, contract: RouteContract, objects: number) => {
  const from = randomUUID();
  await seedOutputs(ctx.tenant.projectId, from, 'stage', objects, false);
  return { ...exampleRequest(contract), body: { from_execution_id: from, from_stage: 'stage', to_route: 'example-ingest' } };
};

const createEndpoint = async (ctx: Context, upstreamUrl = 'https://api.example.com') => {
  const contract = sessionReplay.createEndpoint;
  const response = await ctx.call({ ...exampleRequest(contract), body: { ...(contract.example!.body as object), upstream_url: upstreamUrl } });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; name: string; proxy_url: string };
};
const importedSession = async (ctx: Context) => {
  const endpoint = await createEndpoint(ctx);
  const contract = sessionReplay.importHar;
  const response = await ctx.call(exampleRequest(contract, { ...contract.example, path: { endpoint_id: endpoint.id } }));
  expect(response.status, response.text).toBe(201);
  return { endpoint_id: endpoint.id, session_id: (response.body as { id: string }).id };
};
const queuedReplay = async (ctx: Context) => {
  const ids = await importedSession(ctx);
  const contract = sessionReplay.createReplay;
  const response = await ctx.call(exampleRequest(contract, { ...contract.example, path: ids }));
  expect(response.status, response.text).toBe(202);
  return { ...ids, replay_id: (response.body as { id: string }).id };
};
/** The contract's example request at these ids. */
const at = (contract: RouteContract, path: Record<string, string>, overrides: Partial<TestRequest> = {}): TestRequest => ({
  ...exampleRequest(contract, { ...contract.example, path: { ...contract.example?.path, ...path } }),
  ...overrides,
});
const refusedUrl = 'http://10.0.0.1';
const proxied = (endpoint: { proxy_url: string }, contract: RouteContract): TestRequest => ({
  method: 'POST',
  path: new URL(endpoint.proxy_url).pathname + (contract.path.endsWith('{proxy+}') ? '/v1/orders' : ''),
  body: { hello: 'upstream' },
});

/** What only a route's logic answers, by operationId and status; several scenarios per status are all checked. */
const scenarios: Record<string, Record<number, Scenario | Scenario[]>> = {
  createProxyEndpoint: {
    400: async (_ctx, contract) => ({ ...exampleRequest(contract), body: { ...(contract.example!.body as object), upstream_url: refusedUrl } }),
    409: async (ctx, contract) => {
      for (let i = 0; i < sessionReplayLimits.maxEndpointsPerProject; i++) await createEndpoint(ctx);
      return exampleRequest(contract);
    },
  },
  listProxyEndpoints: { 200: async (ctx, contract) => (await createEndpoint(ctx), exampleRequest(contract)) },
  getProxyEndpoint: { 200: async (ctx, contract) => at(contract, { endpoint_id: (await createEndpoint(ctx)).id }) },
  updateProxyEndpoint: {
    200: async (ctx, contract) => at(contract, { endpoint_id: (await createEndpoint(ctx)).id }),
    400: async (ctx, contract) => at(contract, { endpoint_id: (await createEndpoint(ctx)).id }, { body: { upstream_url: refusedUrl } }),
  },
  deleteProxyEndpoint: {
    200: async (ctx, contract) => {
      const endpoint = await createEndpoint(ctx);
      return at(contract, { endpoint_id: endpoint.id }, { query: { confirm: endpoint.name } });
    },
    400: async (ctx, contract) => at(contract, { endpoint_id: (await createEndpoint(ctx)).id }, { query: { confirm: 'another-name' } }),
  },
  listRecordings: { 200: async (ctx, contract) => at(contract, { endpoint_id: (await importedSession(ctx)).endpoint_id }) },
  listSessions: { 200: async (ctx, contract) => at(contract, { endpoint_id: (await importedSession(ctx)).endpoint_id }) },
  importHarSession: {
    201: async (ctx, contract) => at(contract, { endpoint_id: (await createEndpoint(ctx)).id }),
    400: async (ctx, contract) => {
      const har = structuredClone(contract.example!.body) as { log: { entries: { request: { url: string } }[] } };
      har.log.entries[0]!.request.url = '/relative/only';
      return at(contract, { endpoint_id: (await createEndpoint(ctx)).id }, { body: har });
    },
  },
  getSession: { 200: async (ctx, contract) => at(contract, await importedSession(ctx)) },
  getRecording: {
    200: async (ctx, contract) => {
      const ids = await importedSession(ctx);
      const session = await ctx.call(at(sessionReplay.getSession, ids));
      return at(contract, { ...ids, recording_id: (session.body as { recordings: { id: string }[] }).recordings[0]!.id });
    },
  },
  createSessionReplay: {
    202: async (ctx, contract) => at(contract, await importedSession(ctx)),
    400: async (ctx, contract) => at(contract, await importedSession(ctx), { body: { target_url: refusedUrl, speed: 'instant' } }),
  },
  listSessionReplays: { 200: async (ctx, contract) => at(contract, (({ replay_id: _r, ...ids }) => ids)(await queuedReplay(ctx))) },
  getSessionReplay: { 200: async (ctx, contract) => at(contract, await queuedReplay(ctx)) },
  cancelSessionReplay: {
    200: async (ctx, contract) => at(contract, await queuedReplay(ctx)),
    400: async (ctx, contract) => {
      const request = at(contract, await queuedReplay(ctx));
      expect((await ctx.call(request)).status).toBe(200);
      return request;
    },
  },
  proxyRoot: {
    200: async (ctx, contract) => proxied(await createEndpoint(ctx, upstream.url), contract),
    413: async (_ctx, contract) => ({ ...exampleRequest(contract), raw: 'x'.repeat(sessionReplayLimits.maxProxiedRequestBytes + 1), auth: false }),
    502: async (ctx, contract) => proxied(await createEndpoint(ctx, deadUpstream.url), contract),
  },
  proxyPath: {
    200: async (ctx, contract) => proxied(await createEndpoint(ctx, upstream.url), contract),
    413: async (_ctx, contract) => ({ ...exampleRequest(contract), raw: 'x'.repeat(sessionReplayLimits.maxProxiedRequestBytes + 1), auth: false }),
    502: async (ctx, contract) => proxied(await createEndpoint(ctx, deadUpstream.url), contract),
  },
  submitReplayResult: {
    409: async (ctx, contract) => {
      const first = exampleRequest(contract);
      expect((await ctx.call(first)).status).toBe(201);
      return { ...first, body: { ...(first.body as object), divergences: 3 } };
    },
  },
  createReplayRun: {
    200: [
      async (_ctx, contract) => ({ ...exampleRequest(contract), body: { ...(contract.example!.body as object), dry_run: true } }),
      ...Object.values(classBodies).map((body) => async (_ctx: Context, contract: RouteContract) => ({ ...exampleRequest(contract), body: { ...body, dry_run: true } })),
    ],
    201: [
      async (_ctx, contract) => exampleRequest(contract),
      ...Object.values(classBodies).map((body) => async (_ctx: Context, contract: RouteContract) => ({ ...exampleRequest(contract), body: { ...body, scheduled_for: isoIn(HOUR) } })),
    ],
    409: async (ctx, contract) => {
      const first = { ...exampleRequest(contract), headers: { 'idempotency-key': 'contract-409' } };
      expect((await ctx.call(first)).status).toBe(201);
      return { ...first, body: { ...(first.body as object), candidate: 'byoc_us_east' } };
    },
  },
  getRunReplayHistory: {
    200: async (ctx, contract) => {
      await postResult(ctx, 'run_42');
      return exampleRequest(contract);
    },
  },
  listReplayHistory: {
    200: async (ctx, contract) => {
      await postResult(ctx, 'run_h');
      return { ...exampleRequest(contract), query: {} };
    },
  },
  getReplayDailyStats: {
    200: async (ctx, contract) => {
      await postResult(ctx, 'run_d');
      return exampleRequest(contract);
    },
  },
  listReplayRuns: {
    200: async (ctx, contract) => {
      await createRun(ctx, { baseline: 'managed', candidate: 'managed_mini' });
      await queuedRun(ctx);
      await completedTokenizedRun(ctx);
      return exampleRequest(contract);
    },
  },
  getReplayRun: {
    200: [
      async (ctx, contract) => ({ method: 'GET', path: runPath(contract, (await createRun(ctx, { baseline: 'managed', candidate: 'managed_mini' })).id) }),
      async (ctx, contract) => ({ method: 'GET', path: runPath(contract, (await completedTokenizedRun(ctx)).id) }),
      async (ctx, contract) => ({ method: 'GET', path: runPath(contract, (await completedRun(ctx, classBodies.synthetic)).id) }),
      async (ctx, contract) => ({ method: 'GET', path: runPath(contract, (await completedRun(ctx, classBodies.purge)).id) }),
      async (ctx, contract) => ({ method: 'GET', path: runPath(contract, (await createRun(ctx, { ...classBodies.fullFidelity, scheduled_for: isoIn(HOUR) })).id) }),
    ],
  },
  cancelReplayRun: {
    200: async (ctx, contract) => ({ method: 'POST', path: runPath(contract, (await queuedRun(ctx)).id) }),
    400: async (ctx, contract) => ({ method: 'POST', path: runPath(contract, (await createRun(ctx, { baseline: 'managed', candidate: 'managed_mini' })).id) }),
  },
  getReplayReport: {
    200: [
      async (ctx, contract) => ({ method: 'GET', path: runPath(contract, (await createRun(ctx, { baseline: 'managed', candidate: 'managed_mini' })).id) }),
      async (ctx, contract) => ({ method: 'GET', path: runPath(contract, (await queuedRun(ctx)).id) }),
      async (ctx, contract) => ({ method: 'GET', path: runPath(contract, (await completedTokenizedRun(ctx)).id) }),
      async (ctx, contract) => ({ method: 'GET', path: runPath(contract, (await completedRun(ctx, classBodies.synthetic)).id) }),
      async (ctx, contract) => ({ method: 'GET', path: runPath(contract, (await completedRun(ctx, classBodies.purge)).id) }),
      async (ctx, contract) => ({ method: 'GET', path: runPath(contract, (await createRun(ctx, { ...classBodies.fullFidelity, scheduled_for: isoIn(HOUR) })).id) }),
    ],
  },
  purgeNamespace: {
    400: async (ctx, contract) => {
      // A namespace at its purge limit (1,000 purges), written directly rather than purged 1,000 times.
      await dynamoDb.send(
        new PutCommand({
          TableName: process.env.REPLAY_TABLE!,
          Item: { pk: `PRJ#${ctx.tenant.projectId}#NS`, sk: 'NS#tenant-a', namespace: 'tenant-a', generation: MAX_PURGES_PER_NAMESPACE + 1, purges: [], updated_at: new Date().toISOString() },
        }),
      );
      return exampleRequest(contract);
    },
  },
  listNamespaces: {
    200: async (ctx, contract) => {
      expect((await ctx.call({ method: 'POST', path: '/v2/namespaces/tenant-a/purge' })).status).toBe(200);
      return exampleRequest(contract);
    },
    400: async (_ctx, contract) => ({ ...exampleRequest(contract), query: { cursor: 'not-a-cursor' } }),
  },
  listAliases: {
    200: async (ctx) => {
      expect((await ctx.call({ method: 'PUT', path: '/v2/aliases/bot', body: { releases: [{ target: 'openai/gpt-4o', weight: 1 }] } })).status).toBe(200);
      return { method: 'GET', path: '/v2/aliases' };
    },
  },
  recordUsageEvents: {
    400: async (_ctx, contract) => ({ ...exampleRequest(contract), body: { events: [{ id: 'no-time', target: 'openai/gpt-4o', input_tokens: 1, output_tokens: 1 }] } }),
  },
  listUsageEvents: {
    200: async (ctx, contract) => {
      const record = (await import('../../../functions/http/replay-runs/contract.ts')).recordUsage;
      expect((await ctx.call(exampleRequest(record))).status).toBe(201);
      return exampleRequest(contract);
    },
    400: async (_ctx, contract) => ({ ...exampleRequest(contract), query: { cursor: 'not-a-cursor' } }),
  },
  startDetachedReplay: {
    200: (ctx, contract) => startDetached(ctx, contract, 3),
    404: async (_ctx, contract) => exampleRequest(contract),
    // More than one listing page with no time to publish inline: the rest goes to the page queue.
    202: (ctx, contract) => startDetached(ctx, contract, 1_001),
    400: async (_ctx, contract) => ({ ...exampleRequest(contract), body: { ...(contract.example!.body as object), from_path: '../other' } }),
  },
  listDetachedReplays: {
    200: async (ctx, contract) => {
      expect((await ctx.call(await startDetached(ctx, (await import('../../../functions/http/detached-replay/contract.ts')).startReplay, 2))).status).toBe(200);
      return exampleRequest(contract);
    },
  },
  getDetachedReplay: {
    200: async (ctx, contract) => {
      const started = await ctx.call(await startDetached(ctx, (await import('../../../functions/http/detached-replay/contract.ts')).startReplay, 2));
      return { method: 'GET', path: fillPath(contract.path, { execution_id: (started.body as { execution_id: string }).execution_id }) };
    },
  },
};

/** Scenarios of the reproducibility routes: sessions, agents, runs (see reproducibility/support.ts). */
const repro = {
  session: async (ctx: Context, body: Record<string, unknown> = llmSession('support-bot', { session_id: 'sess-1' })) => {
    const response = await ctx.call({ method: 'POST', path: '/api/v1/sessions', body });
    expect(response.status, response.text).toBe(201);
    return response.body as { id: string };
  },
  run: async (ctx: Context, body: Record<string, unknown> = {}) => {
    await repro.session(ctx);
    const response = await ctx.call({ method: 'POST', path: '/api/v1/reproducibility/runs', body: { session_id: 'sess-1', target_url: upstream.url, n: 2, ...body } });
    expect(response.status, response.text).toBe(202);
    return response.body as { id: string };
  },
};
Object.assign(scenarios, {
  createAgentSession: {
    409: async (ctx: Context, contract: RouteContract) => {
      await repro.session(ctx, contract.example!.body as Record<string, unknown>);
      return { ...exampleRequest(contract), body: { ...(contract.example!.body as object), events: [] } };
    },
  },
  appendAgentSessionEvents: { 200: async (ctx: Context, contract: RouteContract) => (await repro.session(ctx), exampleRequest(contract)) },
  getAgentSession: { 200: async (ctx: Context, contract: RouteContract) => (await repro.session(ctx), exampleRequest(contract)) },
  listAgentSessions: { 200: async (ctx: Context, contract: RouteContract) => (await repro.session(ctx), exampleRequest(contract)) },
  createReproducibilityRun: {
    202: async (ctx: Context, contract: RouteContract) => (await repro.session(ctx), { ...exampleRequest(contract), body: { session_id: 'sess-1', target_url: upstream.url, n: 2 } }),
    400: async (ctx: Context, contract: RouteContract) => (await repro.session(ctx), { ...exampleRequest(contract), body: { session_id: 'sess-1' } }),
    404: async (_ctx: Context, contract: RouteContract) => exampleRequest(contract),
    409: async (ctx: Context, contract: RouteContract) => {
      await repro.session(ctx, { agent_id: 'support-bot', session_id: 'bare', events: [{ type: 'agent_output', output: 'hi' }] });
      return { ...exampleRequest(contract), body: { session_id: 'bare', target_url: upstream.url } };
    },
  },
  listReproducibilityRuns: { 200: async (ctx: Context, contract: RouteContract) => (await repro.run(ctx), exampleRequest(contract)) },
  getReproducibilityRun: { 200: async (ctx: Context, contract: RouteContract) => ({ method: 'GET', path: fillPath(contract.path, { run_id: (await repro.run(ctx)).id }) }) },
  cancelReproducibilityRun: {
    200: async (ctx: Context, contract: RouteContract) => ({ method: 'POST', path: fillPath(contract.path, { run_id: (await repro.run(ctx)).id }) }),
    409: async (ctx: Context, contract: RouteContract) => {
      const path = fillPath(contract.path, { run_id: (await repro.run(ctx)).id });
      expect((await ctx.call({ method: 'POST', path })).status).toBe(200);
      return { method: 'POST', path };
    },
  },
  getReproducibilityAttempt: {
    // The attempt's message is delivered to the worker here: nothing polls the queue in this file.
    200: async (ctx: Context, contract: RouteContract) => {
      const run = await repro.run(ctx);
      expect((await deliverAttempt(ctx.tenant.projectId, run.id, 1)).batchItemFailures).toEqual([]);
      return { method: 'GET', path: fillPath(contract.path, { run_id: run.id, index: '1' }) };
    },
  },
} satisfies Record<string, Record<number, Scenario>>);

/** Requests every route gets from the shared frame, built from its contract. */
const generic: Record<number, (contract: RouteContract) => TestRequest | undefined> = {
  401: (contract) => (contract.auth ? { ...exampleRequest(contract), auth: false } : undefined),
  413: (contract) => (contract.request.body ? { ...exampleRequest(contract), raw: JSON.stringify({ pad: 'x'.repeat(maxBodyBytesOf(contract)) }) } : undefined),
  415: (contract) =>
    contract.request.body ? { ...exampleRequest(contract), raw: 'a=b', headers: { ...contract.example?.headers, 'content-type': 'application/x-www-form-urlencoded' } } : undefined,
  422: invalidRequest,
  400: invalidRequest,
};

/** A request the frame refuses before the route runs: a lone surrogate in the body, or a path or query value far too long. */
function invalidRequest(contract: RouteContract): TestRequest | undefined {
  const request = exampleRequest(contract);
  if (contract.request.body) return { ...request, raw: '{"field":"\\ud800"}' };
  const [pathParam] = Object.keys(contract.example?.path ?? {});
  if (pathParam) return { ...request, path: fillPath(contract.path, { ...contract.example!.path, [pathParam]: 'x'.repeat(1_001) }) };
  const [queryParam] = Object.keys(contract.example?.query ?? {});
  if (queryParam) return { ...request, query: { ...request.query, [queryParam]: 'x'.repeat(1_001) } };
  return undefined;
}

const document = openApiDocument();
const validator = openApiValidator(document);
let gateway: HttpGateway;
let restoreEnv: () => void;
/** A local upstream for the recording proxy, and the address of one that is gone. */
let upstream: LocalServer;
let deadUpstream: LocalServer;

beforeAll(async () => {
  restoreEnv = await contractTestEnvironment('responses');
  upstream = await startServer();
  deadUpstream = await startServer();
  await deadUpstream.stop();
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(async () => {
  await gateway.stop();
  await upstream.stop();
  restoreEnv();
});

async function context(): Promise<Context> {
  const tenant = await createTenant('contract');
  return { tenant, call: (request) => send(gateway.url, tenant.apiKey, request) };
}

/** The requests that should make `contract` answer `status`, or an empty list when nothing can. */
function requestsFor(contract: RouteContract, status: number): Scenario[] {
  const specific = scenarios[contract.operationId]?.[status];
  if (specific) return Array.isArray(specific) ? specific : [specific];
  if (status >= 200 && status < 300 && status === lowestSuccess(contract)) return [async () => exampleRequest(contract)];
  // A fresh tenant has nothing: the example's ids do not exist.
  if (status === 404 && contract.example?.path) return [async () => exampleRequest(contract)];
  const request = generic[status]?.(contract);
  return request ? [async () => request] : [];
}

const lowestSuccess = (contract: RouteContract) => Math.min(...Object.keys(contract.responses).map(Number).filter((s) => s >= 200 && s < 300));
const statusesOf = (contract: RouteContract) => Object.keys(document.paths[contract.path]![methodOf(contract).toLowerCase()]!.responses).map(Number);
const provoked = (contract: RouteContract, status: number) => !(status in NOT_PROVOKED) && !(status in (NOT_PROVOKED_BY[contract.operationId] ?? {}));
const cases = documented.flatMap((contract) => statusesOf(contract).filter((s) => provoked(contract, s)).map((status) => [contract.operationId, status, contract] as const));

describe('the validator', () => {
  it('refuses what the document does not say: a missing field, a wrong type, an undocumented status', () => {
    expect(validator.operationErrors('/v2/replay-runs', 'POST', 201, {})).not.toEqual([]);
    expect(validator.operationErrors('/api/v1/replay/stats', 'GET', 200, { submissions: '1', actions_replayed: 0, divergences: 0, cost_saved: 0 })).not.toEqual([]);
    expect(validator.operationErrors('/api/v1/replay/stats', 'GET', 200, { submissions: 1, actions_replayed: 0, divergences: 0, cost_saved: 0 })).toEqual([]);
    expect(validator.operationErrors('/api/v1/replay/stats', 'GET', 409, {})).not.toEqual([]);
    expect(validator.operationErrors('/api/v1/replay/stats', 'GET', 401, { detail: 'x' })).not.toEqual([]);
  });
});

describe('every documented status of every operation', () => {
  it('has a request that produces it (a scenario in this file, or the frame’s generic one)', () => {
    const missing = cases.filter(([, status, contract]) => requestsFor(contract, status).length === 0).map(([id, status]) => `${id} ${status}`);
    expect(missing).toEqual([]);
  });

  it('names only operations and statuses that exist in the scenarios table', () => {
    const known = new Map(documented.map((c) => [c.operationId, c]));
    for (const [operationId, byStatus] of Object.entries(scenarios)) {
      expect(known.has(operationId), operationId).toBe(true);
      for (const status of Object.keys(byStatus)) expect(statusesOf(known.get(operationId)!), `${operationId} ${status}`).toContain(Number(status));
    }
  });

  it.each(cases)('%s answers %i as the document says', async (_id, status, contract) => {
    const ctx = await context();
    for (const scenario of requestsFor(contract, status)) {
      const response = await ctx.call(await scenario(ctx, contract));

      expect(response.status, response.text).toBe(status);
      // A body passed on as it came (the proxy's upstream answer) has no schema of ours.
      if (contract.responses[status]?.contentType) continue;
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('x-correlation-id')).toBeTruthy();
      expect(validator.operationErrors(contract.path, methodOf(contract), status, response.body), response.text.slice(0, 2_000)).toEqual([]);
    }
  });
});

describe('a known path asked with a method it does not answer', () => {
  const match = createRouteMatcher(routes);
  const METHODS = ['DELETE', 'PATCH', 'PUT', 'POST', 'GET'];
  /** The methods some route answers at this concrete path (another route's {param} may match it too). */
  const served = (concrete: string) => METHODS.filter((method) => match(method, concrete) !== undefined);
  const byPath = new Map<string, RouteContract>();
  for (const contract of documented) if (!byPath.has(contract.path)) byPath.set(contract.path, contract);
  const wrong = [...byPath]
    .filter(([path]) => !routes.some((route) => route.path === path && route.method === 'ANY'))
    .map(([path, contract]) => {
      const concrete = fillPath(path, contract.example?.path);
      return [path, METHODS.find((method) => !served(concrete).includes(method))!, concrete, contract] as const;
    });

  it.each(wrong)('%s with %s is a 405 with Allow, in the family shape of the document', async (_path, method, concrete, contract) => {
    const ctx = await context();
    const response = await ctx.call({ method, path: concrete, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')!.split(', ').sort()).toEqual(served(concrete).sort());
    expect(validator.componentErrors(contract.family === 'v2' ? 'V2MethodNotAllowed' : 'V1MethodNotAllowed', response.body)).toEqual([]);
  });
});

describe('the trailing-slash forms the document lists', () => {
  it('answer GET /api/v1/replay/history/ as GET /api/v1/replay/history', async () => {
    const ctx = await context();
    await postResult(ctx, 'run_slash');
    const response = await ctx.call({ method: 'GET', path: '/api/v1/replay/history/' });
    expect(response.status).toBe(200);
    expect(validator.operationErrors('/api/v1/replay/history', 'GET', 200, response.body)).toEqual([]);
    expect(document.paths['/api/v1/replay/history/']).toEqual({ $ref: '#/paths/~1api~1v1~1replay~1history' });
  });
});
