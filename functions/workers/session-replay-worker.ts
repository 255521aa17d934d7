import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '#shared/logger.ts';
import { sessionReplay } from '#wiring/session-replay.ts';

const ids = { project_id: z.string().min(1), endpoint_id: z.string().regex(/^pep_[0-9a-z]{26}$/) };
const message = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('window'),
    ...ids,
    session_id: z.string().regex(/^ses_[0-9a-z]{26}$/),
    replay_id: z.string().regex(/^srp_[0-9a-z]{26}$/),
    window: z.number().int().min(0),
  }),
  z.object({ type: z.literal('purge'), ...ids }),
]);
const processor = new BatchProcessor(EventType.SQS);

/**
 * Sends one window of a session replay, or purges a deleted endpoint. A
 * window is claimed before its first request, so a redelivered message sends
 * nothing twice; a message that cannot be parsed fails its record and, after
 * the queue's maxReceiveCount, waits in the DLQ, alarmed.
 */
async function recordHandler(record: SQSRecord): Promise<void> {
  const parsed = message.safeParse(JSON.parse(record.body));
  if (!parsed.success) throw new Error(`Not a session replay message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const outcome = await sessionReplay.handle(parsed.data);
  logger.info('Session replay message handled', { ...parsed.data, outcome, receive_count: record.attributes.ApproximateReceiveCount });
}

export async function handler(event: SQSEvent, context: Context) {
  logger.addContext(context);
  return processPartialResponse(event, recordHandler, processor, { context });
}
