import { z } from 'zod';
import { queueWorker } from '#shared/worker/queue-worker.ts';
import { replayRuns } from '#wiring/replay-runs.ts';

/**
 * Runs one chunk of a full-fidelity replay run: its pairs re-executed through
 * the provider broker against both sides, within the run's budget. A chunk is
 * claimed once (conditional write), so a redelivered message never sends its
 * requests again; a chunk held by a live worker fails its delivery to come
 * back after the visibility timeout.
 */
export const handler = queueWorker({
  name: 'replay run chunk',
  message: z.object({ project_id: z.string().min(1), run_id: z.string().regex(/^rpl_[0-9a-z]{26}$/), chunk: z.number().int().min(0) }),
  correlationId: (message) => message.run_id,
  logKeys: (message) => ({ run_id: message.run_id, chunk: message.chunk }),
  run: (message, job) => replayRuns.runChunk(message, job.remainingMs),
});
