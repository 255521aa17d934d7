import { createDynamoReplayStore } from '#adapters/dynamodb/replay-store.ts';
import { createS3ManifestStore } from '#adapters/s3/manifest-store.ts';
import { reportSigningKey } from '#adapters/secrets/report-signing-key.ts';
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

/**
 * The replay runs service wired to DynamoDB, S3, SQS, EventBridge Scheduler
 * and the signing key, once per container. Only the table is required: each
 * function gets the other resources its catalogue entry grants it.
 */
export const replayRuns = createReplayRunService({
  store: createDynamoReplayStore(requireEnv(tables.replay.envName)),
  manifests: createS3ManifestStore(optional(buckets.artifacts.envName) ?? ''),
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
  now: () => new Date(),
  newRunId,
  newId: newUuidV7,
  version,
  signingKey: reportSigningKey,
  log: (message, fields) => logger.warn(message, fields),
});
