import { z } from 'zod';
import { queueWorker } from '#shared/worker/queue-worker.ts';
import { replayRuns } from '#wiring/replay-runs.ts';

/**
 * Runs replay runs from the run queue (messages come from create, from
 * schedules, and from the sweeper); a redelivered message never runs a
 * run twice (its state moves by conditional writes).
 */
export const handler = queueWorker({
  name: 'replay run',
  message: z.object({ project_id: z.string().min(1), run_id: z.string().regex(/^rpl_[0-9a-z]{26}$/) }),
  correlationId: (message) => message.run_id,
  logKeys: (message) => ({ run_id: message.run_id }),
  run: (message) => replayRuns.execute(message),
});
