/**
 * One measurement in a fresh process (its peak RSS is its own, not the
 * emulator's), against the platform whose environment it inherits:
 *   replay <execution-id> <count>  the detached replay service, the whole prefix in this process
 *   prelisted <execution-id> <count>  the same, with the listing served from memory (listed before timing):
 *                                  the publishing pipeline without the emulator's listing work
 *   bare <count>                   a bare loop of SendMessageBatch calls, same concurrency, same message shape
 * Prints one JSON line: {ms, objects, maxRssMb}.
 */
import { performance } from 'node:perf_hooks';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { detachedLimits } from '../functions/core/detached-replay/limits.ts';
import { DETACHED_ROUTES_ENV } from '../lib/catalogue.ts';

const [mode, ...args] = process.argv.slice(2);
const route = 'example-ingest';
const queueUrl = (JSON.parse(process.env[DETACHED_ROUTES_ENV] ?? '{}') as Record<string, { queue_url: string }>)[route]!.queue_url;
let started = performance.now();
let objects = 0;

if (mode === 'replay') {
  // The whole prefix inside this process: listing runs ahead while each page publishes.
  process.env.DETACHED_INLINE_BUDGET_MS = String(Number.MAX_SAFE_INTEGER);
  const { detachedReplay } = await import('../functions/wiring/detached-replay.ts');
  started = performance.now();
  const { view, complete } = await detachedReplay.start({ projectId: 'bench', keyId: 'key_bench' }, { from_execution_id: args[0]!, from_stage: 'stage', to_route: route });
  if (!complete || view.objects_published !== Number(args[1])) throw new Error(`replay incomplete: ${JSON.stringify(view)}`);
  objects = view.objects_published;
} else if (mode === 'prelisted') {
  const { createDetachedReplayService } = await import('../functions/core/detached-replay/detached-replay-service.ts');
  const { createDynamoExecutionStore } = await import('../functions/adapters/dynamodb/execution-store.ts');
  const { s3ObjectLister } = await import('../functions/adapters/s3/object-lister.ts');
  const { createSqsPageQueue, sqsBatchPublisher } = await import('../functions/adapters/sqs/batch-publisher.ts');
  const { buckets, queues, tables } = await import('../lib/catalogue.ts');
  const bucket = process.env[buckets.outputs.envName]!;
  const prefix = `bench/${args[0]}/stage/`;
  const pages: { keys: string[]; next: string | undefined }[] = [];
  for (let token: string | undefined, n = 0; n === 0 || token; n++) {
    const page = await s3ObjectLister.list(bucket, prefix, token);
    pages.push(page);
    token = page.next;
  }
  const service = createDetachedReplayService({
    store: createDynamoExecutionStore(process.env[tables.detached.envName]!),
    lister: { list: async (_bucket, _prefix, token) => pages[token === undefined ? 0 : Number(token)]! },
    publisher: sqsBatchPublisher,
    pages: createSqsPageQueue(process.env[queues.detachedPages.envName]!),
    routes: { get: (name) => ({ name, queueUrl }), all: () => [] },
    bucket,
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
    inlineBudgetMs: Number.MAX_SAFE_INTEGER,
  });
  pages.forEach((page, i) => (page.next = page.next ? String(i + 1) : undefined));
  started = performance.now();
  const { view } = await service.start({ projectId: 'bench', keyId: 'key_bench' }, { from_execution_id: args[0]!, from_stage: 'stage', to_route: route });
  if (view.objects_published !== Number(args[1])) throw new Error(`prelisted replay incomplete: ${JSON.stringify(view)}`);
  objects = view.objects_published;
} else if (mode === 'bare') {
  const count = Number(args[0]);
  const sqs = new SQSClient({});
  const limit = pLimit(detachedLimits.publishConcurrency);
  started = performance.now();
  const batches = Math.ceil(count / 10);
  await Promise.all(
    Array.from({ length: batches }, (_, b) =>
      limit(() =>
        sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Array.from({ length: Math.min(10, count - b * 10) }, (_, i) => ({
              Id: String(i),
              MessageBody: JSON.stringify({ object_key: `bench/x/stage/doc-${b * 10 + i}.json`, bucket: 'reprise-pipeline-outputs' }),
              MessageAttributes: Object.fromEntries(
                ['execution_id', 'replay_batch_id', 'correlation_id', 'from_execution_id'].map((name) => [name, { DataType: 'String', StringValue: crypto.randomUUID() }]),
              ),
            })),
          }),
        ),
      ),
    ),
  );
  objects = count;
} else {
  throw new Error(`unknown mode ${mode}`);
}
console.log(JSON.stringify({ ms: performance.now() - started, objects, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
