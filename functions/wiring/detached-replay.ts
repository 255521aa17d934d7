import { createDynamoExecutionStore } from '#adapters/dynamodb/execution-store.ts';
import { s3ObjectLister } from '#adapters/s3/object-lister.ts';
import { createSqsPageQueue, sqsBatchPublisher } from '#adapters/sqs/batch-publisher.ts';
import { createDetachedReplayService } from '#core/detached-replay/detached-replay-service.ts';
import type { RouteDirectory } from '#core/detached-replay/ports.ts';
import { buckets, DETACHED_ROUTES_ENV, queues, tables } from '#lib/catalogue.ts';
import { requireEnv } from '#shared/config.ts';
import { newUuidV7 } from '#shared/ids.ts';

/** Routes as configured for this function: `{ name: { queue_url, projects? } }` (JSON env var). */
function routesFromEnv(): RouteDirectory {
  const raw = JSON.parse(process.env[DETACHED_ROUTES_ENV] ?? '{}') as Record<string, { queue_url: string; projects?: string[] }>;
  const routes = Object.entries(raw).map(([name, route]) => ({ name, queueUrl: route.queue_url, ...(route.projects ? { projects: route.projects } : {}) }));
  return { get: (name) => routes.find((route) => route.name === name), all: () => routes };
}

/** The detached replay service wired to S3, SQS and DynamoDB, once per container (composition root). */
export const detachedReplay = createDetachedReplayService({
  store: createDynamoExecutionStore(requireEnv(tables.detached.envName)),
  lister: s3ObjectLister,
  publisher: sqsBatchPublisher,
  pages: createSqsPageQueue(process.env[queues.detachedPages.envName] ?? ''),
  routes: routesFromEnv(),
  bucket: process.env[buckets.outputs.envName] ?? '',
  now: () => new Date(),
  newId: newUuidV7,
  // How long a request publishes before answering 202 and leaving the rest to the page worker.
  ...(process.env.DETACHED_INLINE_BUDGET_MS ? { inlineBudgetMs: Number(process.env.DETACHED_INLINE_BUDGET_MS) } : {}),
});
