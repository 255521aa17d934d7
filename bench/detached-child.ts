/**
 * One measurement in a fresh process (its peak RSS is its own, not the
 * emulator's), against the platform whose environment it inherits:
 *   replay <execution-id> <count> <warm-up-execution-id>  the detached replay service, the whole prefix in this process
 *   prelisted <execution-id> <count> <warm-up-execution-id>  the same, with the listing served from memory (listed
 *                                  before timing): the publishing pipeline without the emulator's listing work
 *   bare <count> <warm-up-count>   a bare loop of SendMessageBatch calls, same concurrency, same message shape,
 *                                  through a client with the same settings as the replay's (awsClientConfig)
 * Before timing, each warms up on the route `bench-warm-up` (its own queue): the replay modes replay the
 * warm-up prefix there, the bare loop sends as many messages there.
 * Prints one JSON line: {ms, cpuMs, objects, maxRssMb, heapAfterGcMb} (cpuMs: this process's CPU time while timed). With BENCH_CPU_PROFILE=<file>, writes a CPU
 * profile of the timed part there (open it in Chrome DevTools or speedscope).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { awsClientConfig } from '../functions/adapters/aws/client-config.ts';
import { detachedLimits } from '../functions/core/detached-replay/limits.ts';
import { DETACHED_ROUTES_ENV } from '../lib/catalogue.ts';

const [mode, ...args] = process.argv.slice(2);
const route = 'example-ingest';
const routes = JSON.parse(process.env[DETACHED_ROUTES_ENV] ?? '{}') as Record<string, { queue_url: string }>;
const queueUrl = routes[route]!.queue_url;
const warmUpRoute = 'bench-warm-up';
// The bench's project (BENCH_PROJECT_ID, a prj_… id): its outputs are under <project id>/<execution id>/stage/.
const caller = { orgId: 'bench', projectId: process.env.BENCH_PROJECT_ID ?? 'bench', keyId: 'key_bench' };
let started = performance.now();
let cpuAtStart = process.cpuUsage();
let objects = 0;
// BENCH_CPU_PROFILE=<file>: a CPU profile of the timed part alone (no module loading, no warm-up, no listing before timing).
const profileFile = process.env.BENCH_CPU_PROFILE;
const inspector = profileFile ? new Session() : undefined;
async function startTiming(): Promise<void> {
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  started = performance.now();
  cpuAtStart = process.cpuUsage();
}

if (mode === 'replay') {
  // The whole prefix inside this process: listing runs ahead while each page publishes.
  process.env.DETACHED_INLINE_BUDGET_MS = String(Number.MAX_SAFE_INTEGER);
  const { detachedReplay } = await import('../functions/wiring/detached-replay.ts');
  await detachedReplay.start(caller, { from_execution_id: args[2]!, from_stage: 'stage', to_route: warmUpRoute });
  await startTiming();
  const { view, complete } = await detachedReplay.start(caller, { from_execution_id: args[0]!, from_stage: 'stage', to_route: route });
  if (!complete || view.objects_published !== Number(args[1])) throw new Error(`replay incomplete: ${JSON.stringify(view)}`);
  objects = view.objects_published;
} else if (mode === 'prelisted') {
  const { createDetachedReplayService } = await import('../functions/core/detached-replay/detached-replay-service.ts');
  const { createDynamoExecutionStore } = await import('../functions/adapters/dynamodb/execution-store.ts');
  const { s3ObjectLister } = await import('../functions/adapters/s3/object-lister.ts');
  const { createSqsPageQueue, sqsBatchPublisher } = await import('../functions/adapters/sqs/batch-publisher.ts');
  const { buckets, queues, tables } = await import('../lib/catalogue.ts');
  const bucket = process.env[buckets.outputs.envName]!;
  // Each prefix listed once, before timing; the service then reads its pages from memory, by the key each starts after.
  const listings = new Map<string, Map<string | undefined, { keys: string[]; next: string | undefined }>>();
  for (const executionId of [args[0]!, args[2]!]) {
    const prefix = `${caller.projectId}/${executionId}/stage/`;
    const pages = new Map<string | undefined, { keys: string[]; next: string | undefined }>();
    for (let after: string | undefined, n = 0; n === 0 || after; n++) {
      const page = await s3ObjectLister.list(bucket, prefix, after);
      pages.set(after, page);
      after = page.next;
    }
    listings.set(prefix, pages);
  }
  const service = createDetachedReplayService({
    store: createDynamoExecutionStore(process.env[tables.detached.envName]!),
    lister: { list: async (_bucket, prefix, after) => listings.get(prefix)!.get(after)! },
    publisher: sqsBatchPublisher,
    pages: createSqsPageQueue(process.env[queues.detachedPages.envName]!),
    routes: { all: () => Object.entries(routes).map(([name, route]) => ({ name, queueUrl: route.queue_url })) },
    bucket,
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
    inlineBudgetMs: Number.MAX_SAFE_INTEGER,
  });
  await service.start(caller, { from_execution_id: args[2]!, from_stage: 'stage', to_route: warmUpRoute });
  await startTiming();
  const { view } = await service.start(caller, { from_execution_id: args[0]!, from_stage: 'stage', to_route: route });
  if (view.objects_published !== Number(args[1])) throw new Error(`prelisted replay incomplete: ${JSON.stringify(view)}`);
  objects = view.objects_published;
} else if (mode === 'bare') {
  // The settings of the replay's own SQS client (functions/adapters/aws/sqs-client.ts): its connection and request
  // timeouts arm timers on every call, a cost of the client that the ceiling must pay too.
  const sqs = new SQSClient(awsClientConfig);
  const bareExecution = crypto.randomUUID();
  const limit = pLimit(detachedLimits.publishConcurrency);
  const sendAll = (url: string, count: number) =>
    Promise.all(
      Array.from({ length: Math.ceil(count / 10) }, (_, b) =>
        limit(() =>
          sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: url,
              Entries: Array.from({ length: Math.min(10, count - b * 10) }, (_, i) => ({
                Id: String(i),
                // Keys as long as the replayed ones: <project id>/<execution id>/stage/doc-<7 digits>.json.
                MessageBody: JSON.stringify({ object_key: `${caller.projectId}/${bareExecution}/stage/doc-${String(b * 10 + i).padStart(7, '0')}.json`, bucket: 'reprise-pipeline-outputs' }),
                MessageAttributes: Object.fromEntries(
                  ['execution_id', 'replay_batch_id', 'correlation_id', 'from_execution_id'].map((name) => [name, { DataType: 'String', StringValue: crypto.randomUUID() }]),
                ),
              })),
            }),
          ),
        ),
      ),
    );
  await sendAll(routes[warmUpRoute]!.queue_url, Number(args[1]));
  await startTiming();
  await sendAll(queueUrl, Number(args[0]));
  objects = Number(args[0]);
} else {
  throw new Error(`unknown mode ${mode}`);
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuAtStart);
if (inspector && profileFile) writeFileSync(profileFile, JSON.stringify((await inspector.post('Profiler.stop')).profile));
// Started with --expose-gc: what the process still holds once the garbage is gone.
(globalThis as { gc?: () => void }).gc?.();
console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, objects, maxRssMb: process.resourceUsage().maxRSS / 1024, heapAfterGcMb: process.memoryUsage().heapUsed / 2 ** 20 }));
