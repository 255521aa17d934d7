import { DeleteScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduling } from '../../../lib/catalogue.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import type { Pollers } from '../../../lib/local/sqs-pollers.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { deliver, expectInvalid, HOUR, isoIn, replayStore, startRunPollers, sweep, tenantApi, threeTraces, type Api } from './support.ts';

let gateway: HttpGateway;
const scheduler = new SchedulerClient({});
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(async () => {
  await gateway.stop();
  scheduler.destroy();
});

const groupName = () => process.env[scheduling.env.groupName] ?? scheduling.groupName;
/** The run's one-time schedule, or undefined when there is none. */
async function scheduleOf(runId: string) {
  try {
    return await scheduler.send(new GetScheduleCommand({ Name: runId, GroupName: groupName() }));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** Whole-second RFC 3339, as the platform writes its timestamps. */
const apiTime = (ms: number) => new Date(Date.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function createTokenized(api: Api, body: Record<string, unknown> = {}) {
  const response = await api.post('/v2/replay-runs', {
    baseline: 'managed',
    candidate: 'managed_mini',
    replay_class: 'tokenized_performance',
    traces: threeTraces,
    ...body,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const getRun = async (api: Api, id: string) => (await api.get(`/v2/replay-runs/${id}`)).body;

/*
 * Everything up to the "polling" block drives the worker by direct invocation,
 * on runs scheduled ahead (no message on the shared queue), so nothing but
 * these calls can run them.
 */
describe('cancel', () => {
  it('cancels a queued, scheduled run: canceled, its schedule is gone, and a late message does not run it', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'cancel');
    const created = await createTokenized(api, { scheduled_for: isoIn(HOUR) });
    expect(created.status).toBe('queued');
    expect((await scheduleOf(created.id))?.Target?.Input).toBe(JSON.stringify({ project_id: tenant.projectId, run_id: created.id }));

    // Act
    const canceled = await api.post(`/v2/replay-runs/${created.id}/cancel`);
    const late = await deliver(tenant.projectId, created.id);

    // Assess
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ id: created.id, status: 'canceled', attempt: 0, started_at: null, metrics: null });
    expect(await scheduleOf(created.id)).toBeUndefined();
    expect(late.batchItemFailures).toEqual([]);
    const after = await getRun(api, created.id);
    expect(after).toMatchObject({ status: 'canceled', attempt: 0, started_at: null, metrics: null });
    expectInvalid(await api.post(`/v2/replay-runs/${created.id}/cancel`), 'replay_run_id');
    const report = (await api.get(`/v2/replay-runs/${created.id}/report`)).body;
    expect(report).toMatchObject({ status: 'canceled', evidence_digest: null });
    expect(report.metrics.pending).toMatch(/canceled/);
  });

  it('cancels a queued run whose scheduled_for was already past (it has no schedule to delete)', async () => {
    // The run's message is on the queue; no poller runs before the polling block below, which then finds it canceled.
    const { api } = await tenantApi(gateway, 'cancel-past');
    const created = await createTokenized(api, { scheduled_for: isoIn(-HOUR) });

    const canceled = await api.post(`/v2/replay-runs/${created.id}/cancel`);

    expect(canceled.status, JSON.stringify(canceled.body)).toBe(200);
    expect(canceled.body).toMatchObject({ status: 'canceled', attempt: 0 });
    expect((await getRun(api, created.id)).status).toBe('canceled');
  });

  it('never lets a cancel and a claim both win: 10 runs, each raced by 5 cancels and 5 worker deliveries', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'race');
    const runs = await Promise.all(Array.from({ length: 10 }, () => createTokenized(api, { scheduled_for: isoIn(60_000) })));
    expect(runs.every((r) => r.status === 'queued')).toBe(true);

    // Act
    const raced = await Promise.all(
      runs.map(async (run) => {
        const cancels: Promise<{ status: number }>[] = [];
        const deliveries: Promise<{ batchItemFailures: unknown[] }>[] = [];
        for (let i = 0; i < 5; i++) {
          cancels.push(api.post(`/v2/replay-runs/${run.id}/cancel`));
          deliveries.push(deliver(tenant.projectId, run.id));
        }
        return { id: run.id as string, cancels: await Promise.all(cancels), deliveries: await Promise.all(deliveries) };
      }),
    );

    // Assess
    const outcomes: string[] = [];
    for (const { id, cancels, deliveries } of raced) {
      const run = await getRun(api, id);
      const statuses = cancels.map((c) => c.status);
      expect(deliveries.every((d) => d.batchItemFailures.length === 0)).toBe(true);
      outcomes.push(run.status);
      if (run.status === 'canceled') {
        expect(statuses.filter((s) => s === 200)).toHaveLength(1);
        expect(statuses.filter((s) => s === 400)).toHaveLength(4);
        expect(run).toMatchObject({ attempt: 0, started_at: null, metrics: null, failure_reason: null });
      } else {
        expect(run.status, `run ${id}: ${run.failure_reason}`).toBe('completed');
        expect(run.attempt).toBe(1);
        expect(run.started_at).toBeTruthy();
        expect(statuses).toEqual([400, 400, 400, 400, 400]);
      }
    }
    expect(outcomes).toHaveLength(10);
  });
});

describe('redelivery, duplicates and the sweeper', () => {
  it('fails a run found running on redelivery (its worker died), with a reason, attempt unchanged', async () => {
    // Prepare: a worker claimed the run 13 minutes ago and died; its message comes back after the visibility timeout.
    const { tenant, api } = await tenantApi(gateway, 'redeliver');
    const created = await createTokenized(api, { scheduled_for: isoIn(HOUR) });
    const claimed = await replayStore().claim(tenant.projectId, created.id, { startedAt: apiTime(-13 * 60_000), deadlineAt: apiTime(-10 * 60_000) });
    expect(claimed?.run).toMatchObject({ status: 'running', attempt: 1 });

    // Act
    const result = await deliver(tenant.projectId, created.id, 2);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const run = await getRun(api, created.id);
    expect(run).toMatchObject({ status: 'failed', attempt: 1, metrics: null });
    expect(run.failure_reason).toMatch(/interrupt/i);
    expect(run.completed_at).toBeTruthy();
    const report = (await api.get(`/v2/replay-runs/${created.id}/report`)).body;
    expect(report.evidence_digest).toBeNull();
    expect(report.metrics.pending).toContain(run.failure_reason);
  });

  it('does not fail a run that a live worker is still running when a duplicate message arrives', async () => {
    // Prepare: a worker has just claimed the run (deadline 180 s ahead, as the worker sets it) and is still computing.
    // A second copy of the message arrives meanwhile (SQS at-least-once, or the sweeper's re-send of a late queued run).
    const { tenant, api } = await tenantApi(gateway, 'live-dup');
    const created = await createTokenized(api, { scheduled_for: isoIn(HOUR) });
    const claimed = await replayStore().claim(tenant.projectId, created.id, { startedAt: apiTime(0), deadlineAt: apiTime(180_000) });
    expect(claimed?.run.status).toBe('running');

    // Act
    await deliver(tenant.projectId, created.id);

    // Assess: the live worker still owns the run, so its result can still be recorded.
    const run = await getRun(api, created.id);
    expect(run.failure_reason).toBeNull();
    expect(run.status).toBe('running');
  });

  it('changes nothing when a completed run\'s message is delivered again', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'dup-done');
    const created = await createTokenized(api, { scheduled_for: isoIn(HOUR) });
    await deliver(tenant.projectId, created.id);
    const before = await getRun(api, created.id);
    expect(before.status).toBe('completed');
    const { generated_at: _g1, ...reportBefore } = (await api.get(`/v2/replay-runs/${created.id}/report`)).body;

    // Act
    const again = await Promise.all([deliver(tenant.projectId, created.id, 2), deliver(tenant.projectId, created.id, 3)]);

    // Assess
    expect(again.map((r) => r.batchItemFailures)).toEqual([[], []]);
    expect(await getRun(api, created.id)).toEqual(before);
    const { generated_at: _g2, ...reportAfter } = (await api.get(`/v2/replay-runs/${created.id}/report`)).body;
    expect(reportAfter).toEqual(reportBefore);
  });

  it('defers a message that arrives before the run is due: the run stays queued, not started', async () => {
    // Prepare: a run due in an hour, whose message arrives now (a clock or a copy of the message ahead of time).
    const { tenant, api } = await tenantApi(gateway, 'early');
    const created = await createTokenized(api, { scheduled_for: isoIn(HOUR) });

    // Act
    const response = await deliver(tenant.projectId, created.id, 1, { early: true });
    const run = await getRun(api, created.id);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(run).toMatchObject({ status: 'queued', attempt: 0, started_at: null });
  });

  it('sweeper: fails a running run past its deadline, with a reason', async () => {
    // Prepare
    const { tenant, api } = await tenantApi(gateway, 'sweep-dead');
    const created = await createTokenized(api, { scheduled_for: isoIn(HOUR) });
    await replayStore().claim(tenant.projectId, created.id, { startedAt: apiTime(-5 * 60_000), deadlineAt: apiTime(-2 * 60_000) });

    // Act
    const result = await sweep();

    // Assess
    expect(result.swept['replay-runs']).toBeGreaterThanOrEqual(1);
    const run = await getRun(api, created.id);
    expect(run).toMatchObject({ status: 'failed', attempt: 1, metrics: null });
    expect(run.failure_reason).toMatch(/did not finish/);
    expect(run.completed_at).toBeTruthy();
  });
});

describe('with the worker polling the runs queue', () => {
  let pollers: Pollers;
  beforeAll(async () => {
    pollers = await startRunPollers();
  });
  afterAll(() => pollers.stop());

  it('runs a run created without scheduled_for from the queue', async () => {
    const { api } = await tenantApi(gateway, 'enqueue');
    const created = await createTokenized(api);
    expect(created).toMatchObject({ status: 'queued', scheduled_for: null });

    const run = await waitFor('the run to complete', async () => {
      const current = await getRun(api, created.id);
      return ['completed', 'failed'].includes(current.status) && current;
    }, 15_000);

    expect(run).toMatchObject({ status: 'completed', attempt: 1, failure_reason: null });
  });

  it('keeps a run scheduled ~2 s ahead queued, then completes it after its schedule fires', async () => {
    // Prepare
    const { api } = await tenantApi(gateway, 'soon');

    // Act
    const created = await createTokenized(api, { scheduled_for: isoIn(2_500) });
    const rightAfter = await getRun(api, created.id);
    const schedule = await scheduleOf(created.id);
    const run = await waitFor('the scheduled run to complete', async () => {
      const current = await getRun(api, created.id);
      return ['completed', 'failed'].includes(current.status) && current;
    }, 10_000);

    // Assess
    expect(created).toMatchObject({ status: 'queued', attempt: 0 });
    expect(created.scheduled_for).toBeTruthy();
    expect(rightAfter).toMatchObject({ status: 'queued', started_at: null });
    expect(schedule).toBeDefined();
    expect(run).toMatchObject({ status: 'completed', attempt: 1 });
    expect(Date.parse(run.started_at)).toBeGreaterThanOrEqual(Date.parse(created.scheduled_for));
    expect(await scheduleOf(created.id)).toBeUndefined();
  });

  it('keeps the milliseconds of scheduled_for, schedules at the whole second after it, and never starts the run before it', async () => {
    // Prepare: a time ~2 s ahead that is not a whole second.
    const { api } = await tenantApi(gateway, 'millis');
    const scheduledFor = new Date(Math.floor((Date.now() + 2_000) / 1000) * 1000 + 731).toISOString();

    // Act
    const created = await createTokenized(api, { scheduled_for: scheduledFor });
    const schedule = await scheduleOf(created.id);
    const run = await waitFor('the scheduled run to complete', async () => {
      const current = await getRun(api, created.id);
      return ['completed', 'failed'].includes(current.status) && current;
    }, 10_000);

    // Assess
    expect(created.scheduled_for).toBe(scheduledFor);
    expect(schedule?.ScheduleExpression).toBe(`at(${new Date(Math.ceil(Date.parse(scheduledFor) / 1000) * 1000).toISOString().slice(0, 19)})`);
    expect(run).toMatchObject({ status: 'completed', scheduled_for: scheduledFor });
    expect(run.started_at).toMatch(/\.\d{3}Z$|:\d{2}Z$/);
    expect(Date.parse(run.started_at)).toBeGreaterThanOrEqual(Date.parse(scheduledFor));
  });

  it('runs a run whose scheduled_for is in the past at once, without a schedule', async () => {
    const { api } = await tenantApi(gateway, 'past');

    const created = await createTokenized(api, { scheduled_for: isoIn(-HOUR) });
    const schedule = await scheduleOf(created.id);
    const run = await waitFor('the run to complete', async () => {
      const current = await getRun(api, created.id);
      return ['completed', 'failed'].includes(current.status) && current;
    }, 15_000);

    expect(created.status).toBe('queued');
    expect(schedule).toBeUndefined();
    expect(run).toMatchObject({ status: 'completed', attempt: 1 });
  });

  it('sweeper: re-sends the message of a queued run whose due time is long past, and the worker completes it', async () => {
    // Prepare: a run due an hour ago whose schedule was lost (deleted), so no message ever came.
    const { tenant, api } = await tenantApi(gateway, 'sweep-late');
    const created = await createTokenized(api, { scheduled_for: isoIn(HOUR) });
    await scheduler.send(new DeleteScheduleCommand({ Name: created.id, GroupName: groupName() }));
    const store = replayStore();
    const record = await store.getRun(tenant.projectId, created.id);
    expect(record?.run.status).toBe('queued');
    await store.deleteRun(tenant.projectId, created.id);
    await store.createRun({ ...record!, dueAt: apiTime(-HOUR) });

    // Act
    const result = await sweep();
    const run = await waitFor('the swept run to complete', async () => {
      const current = await getRun(api, created.id);
      return ['completed', 'failed'].includes(current.status) && current;
    }, 15_000);

    // Assess
    expect(result.swept['replay-runs']).toBeGreaterThanOrEqual(1);
    expect(run).toMatchObject({ status: 'completed', attempt: 1, failure_reason: null });
  });
});
