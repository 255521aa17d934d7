import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { createDynamoChunkStore } from '#adapters/dynamodb/chunk-store.ts';
import { createDynamoNamespaceStore } from '#adapters/dynamodb/namespace-store.ts';
import { createDynamoReplayStore } from '#adapters/dynamodb/replay-store.ts';
import { createProviderBroker } from '#adapters/providers/provider-broker.ts';
import { providerConfigFromEnv } from '#adapters/providers/provider-config.ts';
import { createS3ChunkResultStore } from '#adapters/s3/chunk-result-store.ts';
import { createS3ManifestStore } from '#adapters/s3/manifest-store.ts';
import { reportSigningKey } from '#adapters/secrets/report-signing-key.ts';
import { createChunkDispatcher } from '#adapters/sqs/chunk-dispatcher.ts';
import { createRunDispatcher } from '#adapters/sqs/run-dispatcher.ts';
import { createReplayRunService } from '#core/replay-runs/replay-run-service.ts';
import { buckets, queues, scheduling, tables } from '#lib/catalogue.ts';
import { requireEnv } from '#shared/config.ts';
import { newRunId, newUuidV7 } from '#shared/ids.ts';
import { logger } from '#shared/logger.ts';
import { version } from '#shared/version.ts';

const optional = (name: string) => process.env[name] || undefined;
const env = scheduling.env;
const groupName = optional(env.groupName);
const table = requireEnv(tables.replay.envName);
const artifacts = optional(buckets.artifacts.envName) ?? '';
const broker = createProviderBroker(providerConfigFromEnv);

/**
 * The replay runs service wired to DynamoDB, S3, SQS, EventBridge Scheduler,
 * the signing key, the provider broker and the ledger, once per container.
 * Only the table is required: each function gets the other resources its
 * catalogue entry grants it (the ledger is loaded when an outcome is recorded).
 */
export const replayRuns = createReplayRunService({
  store: createDynamoReplayStore(table),
  manifests: createS3ManifestStore(artifacts),
  dispatcher: createRunDispatcher({
    queueUrl: optional(queues.runs.envName) ?? '',
    schedules: groupName
      ? {
          groupName,
          roleArn: requireEnv(env.roleArn),
          targetArn: requireEnv(env.targetArn),
          deadLetterArn: requireEnv(env.deadLetterArn),
        }
      : undefined,
  }),
  namespaces: createDynamoNamespaceStore(table),
  chunks: createDynamoChunkStore(table),
  results: createS3ChunkResultStore(artifacts),
  chunkDispatcher: createChunkDispatcher(optional(queues.replayChunks.envName) ?? ''),
  broker,
  providers: broker,
  recordOutcome: async (orgId, outcome) => (await import('#wiring/job-ledger.ts')).recordJobOutcome(orgId, outcome),
  now: () => new Date(),
  newRunId,
  newId: newUuidV7,
  version,
  signingKey: reportSigningKey,
  clock: () => performance.now(),
  sleep: (ms) => sleep(ms),
  random: Math.random,
  log: (message, fields) => logger.warn(message, fields),
});
