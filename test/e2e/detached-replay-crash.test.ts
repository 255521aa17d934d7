import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { afterAll, describe, expect, it } from 'vitest';
import { detachedRoutes, routeQueueName } from '../../lib/deployment-config.ts';
import type { EndpointsFile } from '../../lib/local/platform.ts';
import { waitFor } from '../../lib/local/wait-for.ts';
import { apiClient } from '../support/api-client.ts';
import { runNpm, startLocalProcess, tempDataDir, type LocalProcess } from '../support/local-process.ts';

const OBJECTS = 3_000;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Receives (and deletes) everything that reaches the route queue, across
 * restarts of the platform (its endpoints stay the same), as the route's
 * consumer would; counts every delivery and every distinct object. A receive
 * cut off by a kill hides its messages for the visibility timeout it asked
 * for (3 s), as SQS does, before they come again.
 */
function routeConsumer(endpoints: EndpointsFile) {
  const route = detachedRoutes.find((r) => r.name === 'example-ingest')!;
  const queueUrl = endpoints.queues[routeQueueName(route)]!;
  const sqs = new SQSClient({ endpoint: endpoints.sqs, region: endpoints.region, credentials, maxAttempts: 1 });
  const objects = new Set<string>();
  let deliveries = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 3 }));
        for (const message of Messages) objects.add((JSON.parse(message.Body!) as { object_key: string }).object_key);
        deliveries += Messages.length;
        if (Messages.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
      } catch {
        // The platform is down between a kill and its restart.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  })();
  return {
    objects,
    deliveries: () => deliveries,
    async stop() {
      running = false;
      await loop;
      sqs.destroy();
    },
  };
}

async function seed(endpoints: EndpointsFile, prefix: string): Promise<string[]> {
  const s3 = new S3Client({ endpoint: endpoints.s3, region: endpoints.region, credentials, forcePathStyle: true });
  const keys = Array.from({ length: OBJECTS }, (_, i) => `${prefix}doc-${String(i).padStart(5, '0')}.json`);
  const sidecars = keys.filter((_, i) => i % 4 === 0).map((key) => `${key}.meta.json`);
  const limit = pLimit(32);
  await Promise.all([...keys, ...sidecars].map((key) => limit(() => s3.send(new PutObjectCommand({ Bucket: endpoints.buckets.outputs, Key: key, Body: '{}' })))));
  s3.destroy();
  return keys;
}

describe('a detached replay killed mid-way', () => {
  const dataDir = tempDataDir();
  // The request publishes for up to 2 s (long enough to be killed in the middle of it), then hands the rest
  // to the page queue; its resume message comes after 3 s.
  const env = { DETACHED_INLINE_BUDGET_MS: '2000', DETACHED_RESUME_AFTER_SECONDS: '3' };
  let running: LocalProcess | undefined;
  let consumer: ReturnType<typeof routeConsumer> | undefined;

  afterAll(async () => {
    await consumer?.stop();
    await running?.interrupt();
  });

  it('loses nothing when the platform is killed (-9) early, in the middle and late: every object reaches the queue, the counts are exact, and it ends by itself', async () => {
    // Prepare: a platform with a key, and outputs under the key's project.
    running = await startLocalProcess(dataDir, env);
    const created = await runNpm(['run', '--silent', 'api-key', '--', 'create', '--project', 'crash-project', '--org', 'crash-org'], { DATA_DIR: dataDir });
    expect(created.code).toBe(0);
    const apiKey = created.stdout.trim().split('\n').at(-1)!;
    let api = apiClient(running.endpoints.api!, apiKey);
    const projectId: string = (await api.get('/api/v1/me')).body.project_id;
    expect(projectId).toMatch(/^prj_/);
    const from = randomUUID();
    const keys = await seed(running.endpoints, `${projectId}/${from}/stage/`);
    const firstEndpoints = running.endpoints;
    consumer = routeConsumer(firstEndpoints);
    const received = consumer.objects;

    // Act: start the replay without waiting for its answer, and kill the platform three times: as soon as
    // the execution is stored (the request is still publishing), and once 40% and 80% of the objects arrived.
    const started = api.post('/api/v1/replay', { from_execution_id: from, from_stage: 'stage', to_route: 'example-ingest' }).catch((error: Error) => error);
    const endpointsAfterRestarts: EndpointsFile[] = [];
    const killPoints: [string, () => Promise<boolean>][] = [
      ['the execution to be stored', async () => (await api.get('/api/v1/replay/executions?limit=1')).body.items?.length === 1],
      ['40% of the objects to reach the queue', async () => received.size >= 0.4 * OBJECTS],
      ['80% of the objects to reach the queue', async () => received.size >= 0.8 * OBJECTS],
    ];
    for (const [what, reached] of killPoints) {
      await waitFor(what, reached, 60_000, 10);
      await running.kill();
      running = await startLocalProcess(dataDir, env);
      api = apiClient(running.endpoints.api!, apiKey);
      endpointsAfterRestarts.push(running.endpoints);
    }
    const execution = await waitFor(
      'the execution to end',
      async () => {
        const [latest] = (await api.get('/api/v1/replay/executions?limit=1')).body.items;
        return latest && latest.from_execution_id === from && latest.status !== 'publishing' ? latest : undefined;
      },
      40_000,
      250,
    );
    await waitFor('every object to reach the queue', async () => received.size >= OBJECTS, 20_000, 50);
    const answer = await started;

    // Assess
    expect(execution).toMatchObject({
      status: 'publishing_complete',
      objects_found: OBJECTS,
      objects_published: OBJECTS,
      objects_failed: 0,
      objects_skipped: OBJECTS / 4,
      errors: null,
    });
    expect(execution.objects_published + execution.objects_failed + execution.objects_skipped).toBe(OBJECTS + OBJECTS / 4);
    expect([...received].sort()).toEqual(keys);
    expect(consumer.deliveries()).toBeGreaterThanOrEqual(OBJECTS);
    // Ended by its own pages, not by the 15-minute stall sweep.
    expect(Date.parse(execution.completed_at) - Date.parse(execution.created_at)).toBeLessThan(5 * 60_000);
    // The emulators kept their ports: endpoints.json stayed valid for SDK users.
    for (const endpoints of endpointsAfterRestarts) expect([endpoints.dynamodb, endpoints.sqs, endpoints.s3]).toEqual([firstEndpoints.dynamodb, firstEndpoints.sqs, firstEndpoints.s3]);
    // The request was killed before it could answer.
    expect(answer).toBeInstanceOf(Error);
    // About 30 s alone on two cores; the machine shared with other suites may take several times that.
  }, 240_000);
});
