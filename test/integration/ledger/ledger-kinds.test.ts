import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoLedgerStore } from '../../../functions/adapters/dynamodb/ledger-store.ts';
import { createLedgerService } from '../../../functions/core/ledger/ledger-service.ts';
import { newUuidV7 } from '../../../functions/shared/ids.ts';
import { tables } from '../../../lib/catalogue.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { result, tenantApi } from './support.ts';

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

/** The ledger as a job's worker reaches it: the real DynamoDB store. */
const ledger = () => createLedgerService({ store: createDynamoLedgerStore(process.env[tables.ledger.envName]!), now: () => new Date(), newId: newUuidV7 });

const finishedAt = () => new Date(Date.now() - 1_000).toISOString();

describe('ledger kinds', () => {
  it('records a job outcome once in DynamoDB however often it is recorded, counted once', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'kinds-once');
    const outcome = { kind: 'session_replay', runId: 'srp_1', status: 'partial', actions_total: 4, actions_replayed: 4, divergences: 1, finished_at: finishedAt() } as const;

    // Act: a worker records, crashes, is redelivered and records again, also concurrently
    await ledger().recordOutcome(tenant.orgId, outcome);
    await Promise.all([ledger().recordOutcome(tenant.orgId, outcome), ledger().recordOutcome(tenant.orgId, outcome)]);

    // Assess
    expect((await api.get('/api/v1/replay/stats')).body).toEqual({ submissions: 1, actions_replayed: 4, divergences: 1, cost_saved: 0 });
    const history = (await api.get('/api/v1/replay/history/srp_1')).body;
    expect(history).toMatchObject({ total: 1, items: [{ kind: 'session_replay', status: 'partial', finished_at: outcome.finished_at }] });
  });

  it('filters history and daily stats by kind, and takes kind on a submission (sdk by default)', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'kinds-filter');
    expect((await api.post('/api/v1/replay/sdk-1/results', result())).body.kind).toBe('sdk');
    expect((await api.post('/api/v1/replay/sdk-2/results', result({ kind: 'sdk', status: 'failed' }))).status).toBe(201);
    await ledger().recordOutcome(tenant.orgId, { kind: 'replay_run', runId: 'rpl_x', status: 'success', actions_total: 3, actions_replayed: 3, divergences: 0, finished_at: finishedAt() });

    // Act
    const [runs, sdk, sdkFailed, all, daily] = await Promise.all([
      api.get('/api/v1/replay/history?kind=replay_run'),
      api.get('/api/v1/replay/history?kind=sdk'),
      api.get('/api/v1/replay/history?kind=sdk&status=failed'),
      api.get('/api/v1/replay/history'),
      api.get('/api/v1/replay/stats/daily?days=1&kind=replay_run'),
    ]);

    // Assess
    expect(runs.body).toMatchObject({ total: 1, items: [{ run_id: 'rpl_x', kind: 'replay_run' }] });
    expect(sdk.body.items.map((s: { run_id: string }) => s.run_id)).toEqual(['sdk-2', 'sdk-1']);
    expect(sdkFailed.body).toMatchObject({ total: 1, items: [{ run_id: 'sdk-2' }] });
    expect(all.body.total).toBe(3);
    expect(daily.body.items).toEqual([expect.objectContaining({ submissions: 1, deployment: '(none)' })]);
  });

  it('refuses an unknown kind with a 422 naming it', async () => {
    const { api } = await tenantApi(gateway, 'kinds-bad');
    const [body, query] = await Promise.all([api.post('/api/v1/replay/r/results', result({ kind: 'robot' })), api.get('/api/v1/replay/history?kind=robot')]);
    expect(body.status).toBe(422);
    expect(body.body.detail[0].loc).toEqual(['body', 'kind']);
    expect(query.status).toBe(422);
    expect(query.body.detail[0].loc).toEqual(['query', 'kind']);
  });
});
