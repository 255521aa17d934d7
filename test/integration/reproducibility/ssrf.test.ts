import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplayTarget } from '../../../functions/adapters/http/replay-target.ts';
import { createSafeHttpClient } from '../../../functions/adapters/http/safe-http-client.ts';
import { createS3BlobStore } from '../../../functions/adapters/s3/blob-store.ts';
import type { AttemptMessage } from '../../../functions/core/reproducibility/run.ts';
import { createRunService } from '../../../functions/core/reproducibility/run-service.ts';
import { createSessionService } from '../../../functions/core/reproducibility/session-service.ts';
import { newUuidV7 } from '../../../functions/shared/ids.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import type { Pollers } from '../../../lib/local/sqs-pollers.ts';
import { createSession, expectInvalid, llmSession, privateAttemptQueue, reproducibilityStore, runEnded, startAttemptPollers, startRun, tenantApi } from './support.ts';

// As on AWS: loopback targets are refused (the local platform's opt-in is off in this file).
process.env.REPRISE_ALLOW_LOOPBACK_TARGETS = 'false';

let gateway: HttpGateway;
let pollers: Pollers;
const servers: Server[] = [];

/** A listener that counts connections (not just requests): nothing may even connect. */
async function listener(host = '127.0.0.1', answer?: (url: string) => { status: number; location?: string }) {
  let connections = 0;
  const server = createServer((request, response) => {
    const reply = answer?.(request.url ?? '/') ?? { status: 200 };
    response.writeHead(reply.status, reply.location ? { location: reply.location } : {}).end('{"secret":true}');
  });
  server.on('connection', () => connections++);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

beforeAll(async () => {
  const queue = await privateAttemptQueue();
  gateway = await startHttpGateway({ port: 0 });
  pollers = startAttemptPollers(queue);
});
afterAll(async () => {
  await pollers?.stop();
  await gateway?.stop();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

describe('replay targets that are not public', () => {
  it.each([
    ['decimal', (port: number) => `http://2130706433:${port}/replay`],
    ['short dotted', (port: number) => `http://127.1:${port}/replay`],
    ['hexadecimal', (port: number) => `http://0x7f.0.0.1:${port}/replay`],
    ['IPv4-mapped IPv6', (port: number) => `http://[::ffff:127.0.0.1]:${port}/replay`],
    ['IPv4-mapped IPv6 in hex', (port: number) => `http://[::ffff:7f00:1]:${port}/replay`],
    ['IPv6 loopback', (port: number) => `http://[::1]:${port}/replay`],
    ['metadata address', () => 'http://169.254.169.254/latest/meta-data'],
    ['private address', () => 'http://10.0.0.8/replay'],
  ])('refuses a %s loopback form at save and at create, with no connection to the listener', async (_name, urlOf) => {
    const { api } = await tenantApi(gateway, 'ssrf-literal');
    const local = await listener();
    const session = await createSession(api, llmSession('bot'));
    const url = urlOf(local.port);

    const saved = await api.put('/api/v1/agents/bot/replay-url', { replay_url: url });
    const created = await api.post('/api/v1/reproducibility/runs', { session_id: session.id, target_url: url });

    expectInvalid(saved, ['body', 'replay_url']);
    expect(saved.body.detail[0].msg).toMatch(/not a public address/);
    expectInvalid(created, ['body', 'target_url']);
    expect((await api.get('/api/v1/agents/bot')).body.replay_url).toBeNull();
    expect(local.connections()).toBe(0);
  });

  it('ends each attempt to a name that resolves to loopback as an error, and nothing connects', async () => {
    const { api } = await tenantApi(gateway, 'ssrf-dns');
    const local = await listener();
    const session = await createSession(api, llmSession('bot'));

    const run = await runEnded(api, (await startRun(api, { session_id: session.id, target_url: `http://localhost:${local.port}/replay`, n: 2 })).id);

    expect(run).toMatchObject({ status: 'completed', verdict: 'error', counts: { errored: 2 } });
    expect(run.attempts[0].error).toMatch(/^blocked_address: localhost is, or resolves to, an address that is not public/);
    expect(local.connections()).toBe(0);
  });

  it('refuses a redirect from an allowed target to loopback: one connection to the redirector, none to the listener', async () => {
    // The worker's own client, allowed to reach the redirector's address only (no loopback opt-in).
    const { api, tenant } = await tenantApi(gateway, 'ssrf-redirect');
    const local = await listener();
    const redirector = await listener('127.0.0.2', () => ({ status: 307, location: `http://127.0.0.1:${local.port}/admin` }));
    const session = await createSession(api, llmSession('bot'));
    const store = reproducibilityStore();
    const blobs = createS3BlobStore(process.env.ARTIFACTS_BUCKET!);
    const sent: AttemptMessage[] = [];
    const sessions = createSessionService({ sessions: store, agents: store, blobs, now: () => new Date(), newId: newUuidV7 });
    const runs = createRunService({
      runs: store,
      agents: store,
      sessions: store,
      sessionEvents: sessions,
      blobs,
      queue: { send: async (messages) => void sent.push(...messages) },
      target: createReplayTarget(createSafeHttpClient({ allowAddresses: ['127.0.0.2'], timeoutMs: 5_000 })),
      recordOutcome: async () => undefined,
      now: () => new Date(),
      newRunId: () => `rep_${Date.now().toString(36).padStart(26, '0')}`,
      newToken: newUuidV7,
    });

    const { run } = await runs.create({ orgId: tenant.orgId, projectId: tenant.projectId }, { session_id: session.id, target_url: `http://127.0.0.2:${redirector.port}/replay`, n: 1, timeout_s: 5 });
    const outcome = await runs.executeAttempt(sent[0]!);
    const ended = await runs.get(tenant.projectId, run.id);

    expect(outcome).toBe('error');
    expect(ended).toMatchObject({ status: 'completed', verdict: 'error' });
    expect(ended.attempts[0]!.error).toMatch(/^blocked_address: /);
    expect(redirector.connections()).toBe(1);
    expect(local.connections()).toBe(0);
  });
});
