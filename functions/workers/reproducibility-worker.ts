import { z } from 'zod';
import { RUN_ID_PATTERN } from '#core/reproducibility/ids.ts';
import { reproducibilityLimits as L } from '#core/reproducibility/limits.ts';
import { queueWorker } from '#shared/worker/queue-worker.ts';
import { reproducibility } from '#wiring/reproducibility.ts';

/**
 * Runs one attempt of a reproducibility run per message. An attempt is
 * claimed by a conditional write before the agent is called, so a
 * redelivered message never calls it twice for the same index.
 */
export const handler = queueWorker({
  name: 'reproducibility attempt',
  message: z.object({ project_id: z.string().min(1), run_id: z.string().regex(RUN_ID_PATTERN), index: z.number().int().min(1).max(L.maxRuns) }),
  correlationId: (message) => message.run_id,
  logKeys: (message) => ({ run_id: message.run_id, attempt: message.index }),
  run: (message) => reproducibility.executeAttempt(message),
});
