import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, ResourceNotFoundException, SchedulerClient, ValidationException } from '@aws-sdk/client-scheduler';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { startSchedulerStandIn, type SchedulerStandIn } from '../../../lib/local/scheduler-stand-in.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { depth, queueWithDlq, sqs } from './queues.ts';

let standIns: SchedulerStandIn[] = [];
afterEach(async () => {
  await Promise.all(standIns.map((s) => s.stop()));
  standIns = [];
});

async function start(queue: { url: string; arn: string }, stateFile?: string) {
  const standIn = await startSchedulerStandIn({
    ...(stateFile ? { stateFile } : {}),
    sqs: { region: process.env.AWS_REGION!, endpoint: process.env.AWS_ENDPOINT_URL_SQS! },
    queueUrlOfArn: (arn) => (arn === queue.arn ? queue.url : undefined),
  });
  standIns.push(standIn);
  const client = new SchedulerClient({ endpoint: standIn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  return { standIn, client };
}

/** `at(...)` for `seconds` from now, to the second, in UTC. */
const atIn = (seconds: number) => `at(${dueIn(seconds).toISOString().slice(0, 19)})`;
const dueIn = (seconds: number) => new Date(Math.floor((Date.now() + seconds * 1000) / 1000) * 1000);
const create = (client: SchedulerClient, name: string, queueArn: string, expression: string, input = `{"run":"${name}"}`) =>
  client.send(
    new CreateScheduleCommand({
      Name: name,
      GroupName: 'reprise',
      ScheduleExpression: expression,
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: queueArn, RoleArn: 'arn:aws:iam::000000000000:role/scheduler', Input: input },
    }),
  );
const receiveOne = (url: string) =>
  waitFor('the scheduled message', async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }))).Messages?.[0], 15_000);

describe('the EventBridge Scheduler stand-in', () => {
  it('delivers a one-time schedule to its queue when due, then deletes it', async () => {
    const queue = await queueWithDlq();
    const { client } = await start(queue);
    const created = Date.now();

    const { ScheduleArn } = await create(client, 'run-1', queue.arn, atIn(2));
    const early = await depth(queue.url);
    const message = await receiveOne(queue.url);

    expect(ScheduleArn).toMatch(/schedule\/reprise\/run-1$/);
    expect(early).toBe(0);
    expect(message.Body).toBe('{"run":"run-1"}');
    expect(Date.now() - created).toBeGreaterThanOrEqual(900);
    await expect(client.send(new GetScheduleCommand({ Name: 'run-1', GroupName: 'reprise' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('sends nothing for a schedule deleted before it was due', async () => {
    const queue = await queueWithDlq();
    const { client, standIn } = await start(queue);
    await create(client, 'cancel-me', queue.arn, atIn(1));
    await create(client, 'keep-me', queue.arn, atIn(2), 'kept');

    await client.send(new DeleteScheduleCommand({ Name: 'cancel-me', GroupName: 'reprise' }));
    const message = await receiveOne(queue.url);

    expect(message.Body).toBe('kept');
    expect(await depth(queue.url)).toBe(1);
    expect(standIn.pending()).toEqual([]);
  });

  it('answers as the service does for a duplicate name, an unsupported expression and an unknown schedule', async () => {
    const queue = await queueWithDlq();
    const { client } = await start(queue);
    await create(client, 'dup', queue.arn, atIn(60));

    await expect(create(client, 'dup', queue.arn, atIn(60))).rejects.toBeInstanceOf(ConflictException);
    await expect(create(client, 'rate', queue.arn, 'rate(5 minutes)')).rejects.toBeInstanceOf(ValidationException);
    await expect(client.send(new DeleteScheduleCommand({ Name: 'nope', GroupName: 'reprise' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const got = await client.send(new GetScheduleCommand({ Name: 'dup', GroupName: 'reprise' }));
    expect(got).toMatchObject({ Name: 'dup', GroupName: 'reprise', State: 'ENABLED', ActionAfterCompletion: 'DELETE' });
  });

  it('keeps pending schedules across a restart, and fires one that fell due while stopped', async () => {
    const queue = await queueWithDlq();
    const stateFile = join(mkdtempSync(join(tmpdir(), 'reprise-scheduler-')), 'schedules.json');
    const first = await start(queue, stateFile);
    const missedAt = dueIn(1).getTime();
    await create(first.client, 'missed', queue.arn, atIn(1), 'missed');
    await create(first.client, 'survives', queue.arn, atIn(4), 'survived');
    await first.standIn.stop();
    standIns = [];
    // The condition is the clock itself: restart only once the first schedule is overdue.
    await waitFor('the first schedule to fall due while stopped', async () => Date.now() > missedAt + 200, 5_000, 50);
    expect(await depth(queue.url)).toBe(0);

    const restarted = await start(queue, stateFile);
    const bodies = new Set<string>();
    await waitFor(
      'both messages',
      async () => {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
        for (const m of Messages ?? []) bodies.add(m.Body!);
        return bodies.size === 2;
      },
      15_000,
    );

    expect([...bodies].sort()).toEqual(['missed', 'survived']);
    expect(restarted.standIn.pending()).toEqual([]);
  });
});
