import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ValidationException,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { DeleteMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSchedulerStandIn, type SchedulerStandIn } from '../../../lib/local/scheduler-stand-in.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { deleteTestQueues, depth, queueWithDlq, receiveCount, sqs, type TestQueue } from './queues.ts';

const GROUP = 'reprise';
const ROLE = 'arn:aws:iam::000000000000:role/reprise-scheduler';
/** Slack for timer and clock granularity when comparing a delivery with its due time. */
const EARLY_TOLERANCE_MS = 50;

const queueUrls = new Map<string, string>();
let running: { standIn: SchedulerStandIn; client: SchedulerClient }[] = [];
afterEach(async () => {
  for (const { standIn, client } of running.splice(0)) {
    client.destroy();
    await standIn.stop();
  }
});
afterAll(() => deleteTestQueues());

/** A queue (with DLQ) whose ARNs the stand-in can resolve, as the platform maps its provisioned queues. */
async function targetQueue(): Promise<TestQueue> {
  const queue = await queueWithDlq({ visibilityTimeout: 30 });
  queueUrls.set(queue.arn, queue.url);
  queueUrls.set(queue.dlqArn, queue.dlqUrl);
  return queue;
}

async function start(stateFile?: string, now?: () => number) {
  const standIn = await startSchedulerStandIn({
    ...(stateFile ? { stateFile } : {}),
    ...(now ? { now } : {}),
    sqs: { region: process.env.AWS_REGION ?? 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL_SQS ?? '' },
    queueUrlOfArn: (arn) => queueUrls.get(arn),
  });
  // The real Scheduler SDK, only its endpoint differs.
  const client = new SchedulerClient({ endpoint: standIn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'any', secretAccessKey: 'any' } });
  const started = { standIn, client };
  running.push(started);
  return started;
}

async function stop(started: { standIn: SchedulerStandIn; client: SchedulerClient }) {
  running = running.filter((s) => s !== started);
  started.client.destroy();
  await started.standIn.stop();
}

/** A whole UTC second at least `seconds` from now, and its `at(...)` expression. */
function dueIn(seconds: number): { at: number; expression: string } {
  const at = Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000;
  return { at, expression: `at(${new Date(at).toISOString().slice(0, 19)})` };
}

function createSchedule(client: SchedulerClient, name: string, queue: TestQueue, expression: string, input: string, extra: Partial<CreateScheduleCommandInput> = {}) {
  return client.send(
    new CreateScheduleCommand({
      Name: name,
      GroupName: GROUP,
      ScheduleExpression: expression,
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: queue.arn, RoleArn: ROLE, Input: input },
      ...extra,
    }),
  );
}

const getSchedule = (client: SchedulerClient, name: string) => client.send(new GetScheduleCommand({ Name: name, GroupName: GROUP }));
const sentAt = (message: Message | undefined) => Number(message?.Attributes?.SentTimestamp);

describe('the EventBridge Scheduler stand-in, through @aws-sdk/client-scheduler', () => {
  it('sends a one-time schedule’s input to its queue when due, not before, then deletes the schedule', async () => {
    // Prepare
    const queue = await targetQueue();
    const { client, standIn } = await start();
    const due = dueIn(2);

    // Act
    const { ScheduleArn } = await createSchedule(client, 'due-once', queue, due.expression, '{"run_id":"rpl_1"}');
    const justAfterCreation = await depth(queue.url);
    const pendingBefore = standIn.pending().map((s) => s.name);
    const [message] = await receiveCount(queue.url, 1);

    // Assess
    expect(ScheduleArn).toMatch(/^arn:aws:scheduler:us-east-1:\d{12}:schedule\/reprise\/due-once$/);
    expect(justAfterCreation).toBe(0);
    expect(pendingBefore).toEqual(['due-once']);
    expect(message?.Body).toBe('{"run_id":"rpl_1"}');
    expect(sentAt(message)).toBeGreaterThanOrEqual(due.at - EARLY_TOLERANCE_MS);
    expect(sentAt(message)).toBeLessThan(due.at + 2_000);
    await waitFor(
      'the schedule to be deleted after completion',
      async () => getSchedule(client, 'due-once').then(() => false, (error: unknown) => error instanceof ResourceNotFoundException),
      5_000,
    );
    expect(standIn.pending()).toEqual([]);
    expect(await depth(queue.url)).toBe(1);
  });

  it('never fires before its time by its clock, even when its timer fires early by that clock', async () => {
    // Prepare: a clock running at half speed, so every timer fires when only half its delay has passed on it.
    const queue = await targetQueue();
    const origin = Date.now();
    const slowClock = () => origin + (Date.now() - origin) / 2;
    const { client } = await start(undefined, slowClock);
    const dueAt = Math.ceil((slowClock() + 1_000) / 1000) * 1000;

    // Act
    await createSchedule(client, 'slow-clock', queue, `at(${new Date(dueAt).toISOString().slice(0, 19)})`, 'slow');
    const [message] = await receiveCount(queue.url, 1);

    // Assess: when it was sent, by the stand-in's clock (sending takes a few ms after firing, never less than 0).
    expect(message?.Body).toBe('slow');
    expect(origin + (sentAt(message) - origin) / 2).toBeGreaterThanOrEqual(dueAt - EARLY_TOLERANCE_MS / 2);
  });

  it('describes a pending schedule with GetSchedule', async () => {
    const queue = await targetQueue();
    const { client } = await start();
    const due = dueIn(120);
    await createSchedule(client, 'described', queue, due.expression, 'payload');

    const got = await getSchedule(client, 'described');

    expect(got).toMatchObject({
      Name: 'described',
      GroupName: GROUP,
      ScheduleExpression: due.expression,
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: queue.arn, RoleArn: ROLE, Input: 'payload' },
    });
  });

  it('sends nothing for a schedule deleted before it was due', async () => {
    // Prepare: a schedule to cancel, and a later one that proves the stand-in's timers run.
    const queue = await targetQueue();
    const { client, standIn } = await start();
    const cancelled = dueIn(2);
    const sentinel = { at: cancelled.at + 1_000, expression: `at(${new Date(cancelled.at + 1_000).toISOString().slice(0, 19)})` };
    await createSchedule(client, 'cancel-me', queue, cancelled.expression, 'cancelled');
    await createSchedule(client, 'sentinel', queue, sentinel.expression, 'sentinel');

    // Act
    await client.send(new DeleteScheduleCommand({ Name: 'cancel-me', GroupName: GROUP }));
    const [sentinelMessage] = await receiveCount(queue.url, 1);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: sentinelMessage!.ReceiptHandle! }));
    await waitFor('well past the cancelled due time', async () => Date.now() > cancelled.at + 1_500, 10_000);

    // Assess
    expect(sentinelMessage?.Body).toBe('sentinel');
    expect(await depth(queue.url)).toBe(0);
    await expect(getSchedule(client, 'cancel-me')).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(standIn.pending()).toEqual([]);
  });

  it('answers ConflictException for a duplicate name, and keeps the original', async () => {
    const queue = await targetQueue();
    const { client } = await start();
    const due = dueIn(120);
    await createSchedule(client, 'dup', queue, due.expression, 'original');

    const duplicate = createSchedule(client, 'dup', queue, due.expression, 'replacement');

    await expect(duplicate).rejects.toBeInstanceOf(ConflictException);
    expect((await getSchedule(client, 'dup')).Target?.Input).toBe('original');
  });

  it.each(['rate(5 minutes)', 'cron(0 12 * * ? *)', 'at(2026-13-45T99:00:00)', 'at(tomorrow)'])('answers ValidationException for an expression it does not support: %s', async (expression) => {
    const queue = await targetQueue();
    const { client, standIn } = await start();

    await expect(createSchedule(client, 'unsupported', queue, expression, 'x')).rejects.toBeInstanceOf(ValidationException);
    expect(standIn.pending()).toEqual([]);
  });

  it('answers ResourceNotFoundException for an unknown schedule, or one in another group', async () => {
    const queue = await targetQueue();
    const { client } = await start();
    await createSchedule(client, 'grouped', queue, dueIn(120).expression, 'x');

    await expect(client.send(new GetScheduleCommand({ Name: 'nope', GroupName: GROUP }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new DeleteScheduleCommand({ Name: 'nope', GroupName: GROUP }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new GetScheduleCommand({ Name: 'grouped', GroupName: 'other' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new GetScheduleCommand({ Name: 'grouped' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('sends the input to the schedule’s dead-letter queue when the target cannot be reached', async () => {
    const queue = await targetQueue();
    const { client } = await start();
    const due = dueIn(1);
    const missingQueueArn = queue.arn.replace(/[^:]+$/, 'no-such-queue');

    await createSchedule(client, 'undeliverable', queue, due.expression, 'lost?', {
      Target: { Arn: missingQueueArn, RoleArn: ROLE, Input: 'lost?', DeadLetterConfig: { Arn: queue.dlqArn } },
    });
    const [dead] = await receiveCount(queue.dlqUrl, 1);

    expect(dead?.Body).toBe('lost?');
    expect(await depth(queue.url)).toBe(0);
  });

  it('keeps a pending schedule across a restart on the same stateFile, and fires it when due', async () => {
    // Prepare
    const queue = await targetQueue();
    const stateFile = join(mkdtempSync(join(tmpdir(), 'reprise-scheduler-')), 'state', 'schedules.json');
    const first = await start(stateFile);
    const due = dueIn(3);
    await createSchedule(first.client, 'survivor', queue, due.expression, 'survived');

    // Act
    await stop(first);
    const second = await start(stateFile);
    const pendingAfterRestart = second.standIn.pending().map((s) => s.name);
    const [message] = await receiveCount(queue.url, 1);

    // Assess
    expect(pendingAfterRestart).toEqual(['survivor']);
    expect(message?.Body).toBe('survived');
    expect(sentAt(message)).toBeGreaterThanOrEqual(due.at - EARLY_TOLERANCE_MS);
    await waitFor('the fired schedule to leave the state file', async () => readFileSync(stateFile, 'utf8').trim() === '[]', 5_000);
  });

  it('fires a schedule that fell due while the stand-in was stopped as soon as it starts again', async () => {
    // Prepare
    const queue = await targetQueue();
    const stateFile = join(mkdtempSync(join(tmpdir(), 'reprise-scheduler-')), 'schedules.json');
    const first = await start(stateFile);
    const missed = dueIn(1);
    await createSchedule(first.client, 'missed', queue, missed.expression, 'missed');
    await createSchedule(first.client, 'later', queue, dueIn(120).expression, 'later');
    await stop(first);
    // The condition is the clock itself: restart only once the schedule is overdue.
    await waitFor('the schedule to fall due while stopped', async () => Date.now() > missed.at + 500, 5_000, 20);
    expect(await depth(queue.url)).toBe(0);

    // Act
    const restartedAt = Date.now();
    const second = await start(stateFile);
    const [message] = await receiveCount(queue.url, 1);

    // Assess
    expect(message?.Body).toBe('missed');
    expect(sentAt(message) - restartedAt).toBeLessThan(1_000);
    expect(second.standIn.pending().map((s) => s.name)).toEqual(['later']);
  });
});
