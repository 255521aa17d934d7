import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord, Context } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '#shared/logger.ts';
import { replayRuns } from '#wiring/replay-runs.ts';

const message = z.object({ project_id: z.string().min(1), run_id: z.string().regex(/^rpl_[0-9a-z]{26}$/) });
const processor = new BatchProcessor(EventType.SQS);

/**
 * Runs replay runs from the run queue (messages come from create, from
 * schedules, and from the sweeper). A message that cannot be parsed fails
 * its record: after the queue's maxReceiveCount it waits in the DLQ, alarmed.
 */
async function recordHandler(record: SQSRecord): Promise<void> {
  const parsed = message.safeParse(JSON.parse(record.body));
  if (!parsed.success) throw new Error(`Not a run message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const outcome = await replayRuns.execute(parsed.data);
  logger.info('Replay run message handled', { run_id: parsed.data.run_id, outcome, receive_count: record.attributes.ApproximateReceiveCount });
}

export async function handler(event: SQSEvent, context: Context) {
  logger.addContext(context);
  return processPartialResponse(event, recordHandler, processor, { context });
}
