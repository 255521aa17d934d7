import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorProcess } from '../../../lib/local/child-process.ts';
import { startFauxqsProcess } from '../../../lib/local/fauxqs-process.ts';
import { localQueueUrl } from '../../../lib/local/provision.ts';
import { portOf, rememberedPorts, rememberPorts } from '../../../lib/local/stable-ports.ts';

const running: EmulatorProcess[] = [];
afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.stop();
});

async function start(options: Parameters<typeof startFauxqsProcess>[0]) {
  const emulator = await startFauxqsProcess(options);
  running.push(emulator);
  const sqs = new SQSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return { emulator, sqs, url: (name: string) => localQueueUrl(emulator.endpoint, name) };
}

const receive = (sqs: SQSClient, url: string) =>
  sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] })).then((r) => r.Messages ?? []);

describe('the local SQS across a restart', () => {
  it('hands back at once the messages a worker queue had in flight, and keeps other queues to their visibility timeout', async () => {
    // Prepare: one message in flight (5 minutes of visibility) on a worker queue and on another queue.
    const dataDir = mkdtempSync(join(tmpdir(), 'reprise-sqs-'));
    const first = await start({ dataDir });
    for (const name of ['worker-jobs', 'consumer-jobs']) {
      await first.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '300' } }));
      await first.sqs.send(new SendMessageCommand({ QueueUrl: first.url(name), MessageBody: `to ${name}` }));
      expect(await receive(first.sqs, first.url(name))).toHaveLength(1);
    }
    await first.emulator.stop();

    // Act: the platform starts again, on the same port.
    const again = await start({ dataDir, port: portOf(first.emulator.endpoint), releaseInFlight: ['worker-jobs'] });
    const worker = await receive(again.sqs, again.url('worker-jobs'));
    const consumer = await receive(again.sqs, again.url('consumer-jobs'));

    // Assess
    expect(again.emulator.endpoint).toBe(first.emulator.endpoint);
    expect(worker.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([['to worker-jobs', '2']]);
    expect(consumer).toEqual([]);
  });
});

describe('remembered ports', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  it('gives back the ports of the last start that are free now, and leaves out taken, missing or unreadable ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reprise-ports-'));
    const file = join(dir, 'ports.json');
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const takenPort = (taken.address() as { port: number }).port;
    const free = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });

    rememberPorts(file, { dynamodb: free, sqs: takenPort, s3: 0 });
    const remembered = await rememberedPorts(file, ['dynamodb', 'sqs', 's3', 'other'] as const);
    writeFileSync(file, 'not json');
    const unreadable = await rememberedPorts(file, ['dynamodb'] as const);

    expect(remembered).toEqual({ dynamodb: free });
    expect(unreadable).toEqual({});
    expect(await rememberedPorts(join(dir, 'missing.json'), ['dynamodb'] as const)).toEqual({});
  });
});
