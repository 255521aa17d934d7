import { z } from 'zod';
import { queueWorker } from '#shared/worker/queue-worker.ts';
import { detachedReplay } from '#wiring/detached-replay.ts';

const ids = { project_id: z.string().min(1), execution_id: z.uuid() };

/**
 * Publishes one listing page of a detached replay (a page already done is
 * skipped, so a redelivered page publishes nothing twice), or resumes what
 * the request that started an execution left unfinished.
 */
export const handler = queueWorker({
  name: 'detached replay page',
  message: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('page'), ...ids, page: z.number().int().min(0), after: z.string().min(1).nullable() }),
    z.object({ kind: z.literal('resume'), ...ids }),
  ]),
  correlationId: (message) => message.execution_id,
  logKeys: (message) => ({ execution_id: message.execution_id, kind: message.kind, ...(message.kind === 'page' ? { page: message.page } : {}) }),
  run: (message) => (message.kind === 'page' ? detachedReplay.continuePage(message) : detachedReplay.resume(message)),
});
