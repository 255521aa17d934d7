import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '#shared/logger.ts';
import { detachedReplay } from '#wiring/detached-replay.ts';

const message = z.object({
  project_id: z.string().min(1),
  execution_id: z.uuid(),
  page: z.number().int().min(0),
  continuation_token: z.string().min(1),
});
const processor = new BatchProcessor(EventType.SQS);

/** Publishes one listing page of a detached replay; a page already done is skipped, so redelivery publishes nothing twice. */
async function recordHandler(record: SQSRecord): Promise<void> {
  const parsed = message.safeParse(JSON.parse(record.body));
  if (!parsed.success) throw new Error(`Not a page message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const outcome = await detachedReplay.continuePage(parsed.data);
  logger.info('Detached replay page handled', { execution_id: parsed.data.execution_id, page: parsed.data.page, outcome });
}

export async function handler(event: SQSEvent, context: Context) {
  logger.addContext(context);
  return processPartialResponse(event, recordHandler, processor, { context });
}
