import { hash } from 'node:crypto';
import pLimit from 'p-limit';
import { parse as parseUuid } from 'uuid';
import type { PageOutcome } from './execution.ts';
import { detachedLimits as L, SIDECAR_SUFFIX } from './limits.ts';
import type { BatchPublisher, OutgoingMessage } from './ports.ts';

export interface PublishContext {
  publisher: BatchPublisher;
  queueUrl: string;
  bucket: string;
  executionId: string;
  replayBatchId: string;
  fromExecutionId: string;
  /** Waits between attempts; injectable so tests need not wait. */
  backoff?: (attempt: number) => Promise<void>;
  /** Bounds SendMessageBatch calls in flight; shared across pages published together. */
  limit?: ReturnType<typeof pLimit>;
}

/**
 * The correlation id of one replayed object: a UUID v5 of its key in the
 * execution's namespace, so re-publishing the same object gives the same id
 * and consumers can de-duplicate.
 */
export function correlationIdOf(executionId: string | Uint8Array, objectKey: string): string {
  const namespace = typeof executionId === 'string' ? parseUuid(executionId) : executionId;
  // RFC 9562 §5.5: SHA-1 of the namespace's 16 bytes then the name's UTF-8 bytes; version 5, variant 10.
  // The same bytes as uuid's v5 (tested against it), hashed in one call from a buffer reused across keys:
  // a Hash object per key, and uuid's copies of both parts into a new array, cost more than the hash.
  const length = 16 + Buffer.byteLength(objectKey, 'utf8');
  if (nameBuffer.length < length) nameBuffer = Buffer.allocUnsafe(Math.max(length, 2 * nameBuffer.length));
  nameBuffer.set(namespace, 0);
  nameBuffer.write(objectKey, 16, 'utf8');
  const digest = hash('sha1', nameBuffer.subarray(0, length), 'buffer');
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Namespace then key, for correlationIdOf (synchronous: no other key can write it in between). */
let nameBuffer = Buffer.allocUnsafe(1_024);

/**
 * Publishes one listing page: sidecars skipped, the rest in batches of 10
 * with bounded concurrency; entries SQS reports in `Failed[]` (and calls that
 * fail outright) are retried with backoff, except sender faults, which no
 * retry can fix.
 */
export async function publishPage(keys: readonly string[], ctx: PublishContext): Promise<PageOutcome> {
  const objects = keys.filter((key) => !key.endsWith(SIDECAR_SUFFIX));
  const outcome: PageOutcome = { found: objects.length, skipped: keys.length - objects.length, published: 0, failed: 0, errors: [] };
  const limit = ctx.limit ?? pLimit(L.publishConcurrency);
  // Parsed once per page rather than once per object.
  const namespace = parseUuid(ctx.executionId);
  const backoff = ctx.backoff ?? defaultBackoff;
  const batches: string[][] = [];
  for (let i = 0; i < objects.length; i += L.batchSize) batches.push(objects.slice(i, i + L.batchSize));

  await Promise.all(
    batches.map((batch) =>
      limit(async () => {
        let pending = new Map(batch.map((key, i) => [String(i), { key, message: messageOf(key, String(i), ctx, namespace) }]));
        for (let attempt = 1; pending.size > 0; attempt++) {
          let failures: { id: string; code: string; message: string; senderFault: boolean }[];
          try {
            ({ failed: failures } = await ctx.publisher.sendBatch(ctx.queueUrl, [...pending.values()].map((p) => p.message)));
          } catch (error) {
            failures = [...pending.keys()].map((id) => ({ id, code: (error as Error).name, message: (error as Error).message, senderFault: false }));
          }
          const retry = new Map<string, { key: string; message: OutgoingMessage }>();
          for (const failure of failures) {
            const entry = pending.get(failure.id);
            if (!entry) continue;
            if (failure.senderFault || attempt >= L.publishAttempts) {
              outcome.failed++;
              if (outcome.errors.length < L.errorsPerPage) outcome.errors.push(`${entry.key}: ${failure.code}: ${failure.message}`);
            } else {
              retry.set(failure.id, entry);
            }
          }
          outcome.published += pending.size - failures.filter((f) => pending.has(f.id)).length;
          pending = retry;
          if (pending.size > 0) await backoff(attempt);
        }
      }),
    ),
  );
  return outcome;
}

/** A page none of whose objects can be sent, for one reason (kept as the page's first error). */
export function unpublished(keys: readonly string[], reason: string): PageOutcome {
  const objects = keys.filter((key) => !key.endsWith(SIDECAR_SUFFIX)).length;
  return { found: objects, skipped: keys.length - objects, published: 0, failed: objects, errors: objects ? [reason] : [] };
}

function messageOf(key: string, id: string, ctx: PublishContext, namespace: Uint8Array): OutgoingMessage {
  return {
    id,
    body: JSON.stringify({ object_key: key, bucket: ctx.bucket }),
    attributes: {
      execution_id: ctx.executionId,
      replay_batch_id: ctx.replayBatchId,
      correlation_id: correlationIdOf(namespace, key),
      from_execution_id: ctx.fromExecutionId,
    },
  };
}

function defaultBackoff(attempt: number): Promise<void> {
  const ms = Math.min(2_000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
