import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { logger as sharedLogger } from '../logger.ts';

/** What a job gets besides its message. */
export interface JobContext {
  /** Logs of this record: every line carries the job, correlation_id, message_id, receive_count and the job's log keys. */
  log: Logger;
  correlationId: string;
  messageId: string;
  /** 1 on the first delivery; SQS moves the message to its DLQ past the queue's maxReceiveCount. */
  receiveCount: number;
  /** Time left in this invocation, in ms. */
  remainingMs: () => number;
}

/** One kind of SQS message and the work it asks for. */
export interface QueueJob<S extends z.ZodType> {
  /** Names the job in log lines, e.g. `detached replay page`. */
  name: string;
  /** The message body: JSON that this schema accepts. */
  message: S;
  /** The id that ties this work to the request that caused it; the SQS message id when absent. */
  correlationId?: (message: z.output<S>) => string | undefined;
  /** Ids to put on every log line of the record (never payloads). */
  logKeys?: (message: z.output<S>) => Record<string, string | number | boolean>;
  /**
   * Does the work, idempotently (a message may come twice); resolves to a
   * word saying what happened (logged). Throwing fails the record: SQS
   * delivers it again after the queue's visibility timeout.
   */
  run: (message: z.output<S>, job: JobContext) => Promise<string>;
}

/** A message whose body no code of this version can act on. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}

/**
 * The one frame of Reprise's SQS workers: Powertools batch processing with
 * partial failures (one failed record never fails the others), a logger per
 * record with its correlation id, and the body parsed as JSON and validated
 * by the job's zod schema before any job code runs.
 *
 * A poison message (not JSON, or not what the schema accepts) fails its
 * record without running the job, logged at error with the schema's issues
 * (never the body). It is not dropped: SQS redrives it to the queue's DLQ
 * after maxReceiveCount receives, where the DLQ alarm fires and an operator
 * can redrive it once a fixed version reads it.
 */
export function queueWorker<S extends z.ZodType>(job: QueueJob<S>, options: { logger?: Logger } = {}) {
  const logger = options.logger ?? sharedLogger;
  const processor = new BatchProcessor(EventType.SQS);

  async function handleRecord(record: SQSRecord, context: Context): Promise<void> {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? 1);
    const keys = { job: job.name, message_id: record.messageId, receive_count: receiveCount };
    const parsed = parseBody(record.body, job.message);
    if (!parsed.success) {
      logger.createChild({ persistentKeys: { ...keys, correlation_id: record.messageId } }).error('Poison message: it fails until it reaches the DLQ', {
        reason: parsed.reason,
        body_bytes: Buffer.byteLength(record.body),
      });
      throw new PoisonMessageError(`Not a ${job.name} message: ${parsed.reason}`);
    }
    const message = parsed.data;
    const correlationId = job.correlationId?.(message) || record.messageId;
    const log = logger.createChild({ persistentKeys: { ...keys, correlation_id: correlationId, ...job.logKeys?.(message) } });
    try {
      const outcome = await job.run(message, { log, correlationId, messageId: record.messageId, receiveCount, remainingMs: () => context.getRemainingTimeInMillis() });
      log.info(`${job.name} handled`, { outcome });
    } catch (error) {
      log.error(`${job.name} failed; SQS delivers it again`, { error: error as Error });
      throw error;
    }
  }

  return async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    logger.addContext(context);
    // Every failed record is named in batchItemFailures, even when all failed: no invocation error on top.
    return processPartialResponse(event, (record: SQSRecord) => handleRecord(record, context), processor, { context, throwOnFullBatchFailure: false });
  };
}

function parseBody<S extends z.ZodType>(body: string, schema: S): { success: true; data: z.output<S> } | { success: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { success: false, reason: 'the body is not JSON' };
  }
  const result = schema.safeParse(json);
  if (result.success) return { success: true, data: result.data };
  const issues = result.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  return { success: false, reason: issues.join('; ') };
}
