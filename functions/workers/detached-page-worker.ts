import { z } from 'zod';
import { queueWorker } from '#shared/worker/queue-worker.ts';
import { detachedReplay } from '#wiring/detached-replay.ts';

/** Publishes one listing page of a detached replay; a page already done is skipped, so redelivery publishes nothing twice. */
export const handler = queueWorker({
  name: 'detached replay page',
  message: z.object({
    project_id: z.string().min(1),
    execution_id: z.uuid(),
    page: z.number().int().min(0),
    continuation_token: z.string().min(1),
  }),
  correlationId: (message) => message.execution_id,
  logKeys: (message) => ({ execution_id: message.execution_id, page: message.page }),
  run: (message) => detachedReplay.continuePage(message),
});
