import { createDynamoExecutionStore } from '#adapters/dynamodb/execution-store.ts';
import { s3ObjectLister } from '#adapters/s3/object-lister.ts';
import { createSqsPageQueue, sqsBatchPublisher } from '#adapters/sqs/batch-publisher.ts';
import { createDetachedReplayService } from '#core/detached-replay/detached-replay-service.ts';
import { buckets, queues, tables } from '#lib/catalogue.ts';
import { requireEnv } from '#shared/config.ts';
import { newUuidV7 } from '#shared/ids.ts';
import { logger } from '#shared/logger.ts';
import { detachedRoutes } from './detached-routes.ts';

/** An optional whole-number setting; a value out of range is a deployment error, said at cold start. */
function integerFromEnv(name: string, max: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) throw new Error(`${name} must be a whole number from 0 to ${max}, not ${raw}`);
  return value;
}
const inlineBudgetMs = integerFromEnv('DETACHED_INLINE_BUDGET_MS', Number.MAX_SAFE_INTEGER);
// SQS delays a message by at most 900 s.
const resumeAfterSeconds = integerFromEnv('DETACHED_RESUME_AFTER_SECONDS', 900);

/** The detached replay service wired to S3, SQS and DynamoDB, once per container (composition root). */
export const detachedReplay = createDetachedReplayService({
  store: createDynamoExecutionStore(requireEnv(tables.detached.envName)),
  lister: s3ObjectLister,
  publisher: sqsBatchPublisher,
  pages: createSqsPageQueue(process.env[queues.detachedPages.envName] ?? ''),
  routes: detachedRoutes,
  bucket: process.env[buckets.outputs.envName] ?? '',
  now: () => new Date(),
  newId: newUuidV7,
  // How long a request publishes before answering 202 and leaving the rest to the page worker.
  ...(inlineBudgetMs !== undefined ? { inlineBudgetMs } : {}),
  // When the resume message comes (tests shorten it; it must stay past the start function's timeout on AWS).
  ...(resumeAfterSeconds !== undefined ? { resumeAfterSeconds } : {}),
  // Imported at first use: only the functions that end executions are granted the ledger.
  recordOutcome: async (orgId, outcome) => (await import('./job-ledger.ts')).recordJobOutcome(orgId, outcome),
  onRecoverableError: (what, error) => logger.warn(`Detached replay: ${what} failed; the resume message hands the rest to the page queue`, { error: error as Error }),
});
