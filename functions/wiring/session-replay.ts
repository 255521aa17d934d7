import { randomBytes } from 'node:crypto';
import { createDynamoProxyStore } from '#adapters/dynamodb/proxy-store.ts';
import { createSafeHttpClient, OutboundRequestError } from '#adapters/http/safe-http-client.ts';
import { loopbackTargetsAllowed, urlRefusal } from '#adapters/http/url-check.ts';
import { createS3RecordingObjects } from '#adapters/s3/recording-objects.ts';
import { createSessionReplayQueue } from '#adapters/sqs/session-replay-queue.ts';
import { sessionReplayLimits as L } from '#core/session-replay/limits.ts';
import { createSessionReplayService } from '#core/session-replay/session-replay-service.ts';
import { buckets, queues, tables } from '#lib/catalogue.ts';
import { requireEnv } from '#shared/config.ts';
import { newPrefixedId, newRecordingId, recordingIdSequence } from '#shared/ids.ts';
import { logger } from '#shared/logger.ts';

const allowLoopback = loopbackTargetsAllowed();

/**
 * The session replay service wired to DynamoDB, S3, SQS and the SSRF-safe
 * client, once per container. Only the table is required: each function gets
 * the bucket and queue its catalogue entry grants it.
 */
export const sessionReplay = createSessionReplayService({
  store: createDynamoProxyStore(requireEnv(tables.proxy.envName)),
  objects: createS3RecordingObjects(process.env[buckets.recordings.envName] ?? ''),
  queue: createSessionReplayQueue(process.env[queues.sessionReplays.envName] ?? ''),
  upstream: createSafeHttpClient({
    allowLoopback,
    timeoutMs: L.upstreamTimeoutMs,
    connectTimeoutMs: L.upstreamConnectTimeoutMs,
    maxResponseBytes: L.maxProxiedResponseBytes,
  }),
  target: createSafeHttpClient({ allowLoopback, timeoutMs: L.replayRequestTimeoutMs, maxResponseBytes: L.maxReplayResponseBytes }),
  nowMs: () => Date.now(),
  newEndpointId: () => newPrefixedId('pep'),
  newSessionId: () => newPrefixedId('ses'),
  newReplayId: () => newPrefixedId('srp'),
  newRecordingId,
  recordingIdSequence,
  // 256 random bits: the token is the proxy route's only credential.
  newToken: () => `pxt_${randomBytes(32).toString('base64url')}`,
  refuseUrl: (url) => urlRefusal(url, { allowLoopback }),
  describeFailure: (error) => (error instanceof OutboundRequestError ? { code: error.code, message: error.message } : undefined),
  log: (message, fields) => logger.warn(message, fields),
  // Only what ends replays (the worker, cancel, the sweep) records them: the ledger's wiring (and its table) is loaded when one does.
  recordOutcome: async (orgId, outcome) => (await import('./job-ledger.ts')).recordJobOutcome(orgId, outcome),
  // Shorter windows mean more, shorter worker invocations (tests use it to chain windows within seconds).
  ...(process.env.SESSION_REPLAY_WINDOW_SPAN_MS ? { windowSpanMs: Number(process.env.SESSION_REPLAY_WINDOW_SPAN_MS) } : {}),
});
