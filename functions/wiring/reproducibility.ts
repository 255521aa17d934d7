import { createDynamoReproducibilityStore } from '#adapters/dynamodb/reproducibility-store.ts';
import { createReplayTarget, replayTargetClient } from '#adapters/http/replay-target.ts';
import { createS3BlobStore } from '#adapters/s3/blob-store.ts';
import { createSqsAttemptQueue } from '#adapters/sqs/attempt-queue.ts';
import { reproducibilityLimits as L } from '#core/reproducibility/limits.ts';
import { createRunService } from '#core/reproducibility/run-service.ts';
import { createSessionService } from '#core/reproducibility/session-service.ts';
import { buckets, queues, tables } from '#lib/catalogue.ts';
import { requireEnv } from '#shared/config.ts';
import { newUuidV7 } from '#shared/ids.ts';
import { logger } from '#shared/logger.ts';
import { monotonicFactory } from 'ulid';

const optional = (name: string) => process.env[name] || undefined;
const ulid = monotonicFactory();
const store = createDynamoReproducibilityStore(requireEnv(tables.reproducibility.envName));
const blobs = createS3BlobStore(optional(buckets.artifacts.envName) ?? '');
const now = () => new Date();

/**
 * Sessions, agents and reproducibility runs wired to DynamoDB, S3, SQS, the
 * SSRF-safe client and the ledger, once per container. Only the table is
 * required: each function gets what its catalogue entry grants it (the
 * ledger is loaded only by the functions that record outcomes).
 */
export const sessions = createSessionService({ sessions: store, agents: store, blobs, now, newId: () => ulid().toLowerCase() });

export const reproducibility = createRunService({
  runs: store,
  agents: store,
  sessions: store,
  sessionEvents: sessions,
  blobs,
  queue: createSqsAttemptQueue(optional(queues.reproducibility.envName) ?? ''),
  target: createReplayTarget(replayTargetClient({ maxResponseBytes: L.maxResponseBytes, maxTimeoutMs: L.maxTimeoutSeconds * 1000 })),
  recordOutcome: async (orgId, outcome) => (await import('./job-ledger.ts')).recordJobOutcome(orgId, outcome),
  now,
  newRunId: () => `rep_${ulid().toLowerCase()}`,
  newToken: newUuidV7,
  log: (message, fields) => logger.warn(message, fields),
});
