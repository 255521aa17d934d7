import { z } from 'zod';
import { queueWorker } from '#shared/worker/queue-worker.ts';
import { sessionReplay } from '#wiring/session-replay.ts';

const ids = { project_id: z.string().min(1), endpoint_id: z.string().regex(/^pep_[0-9a-z]{26}$/) };

/**
 * Sends one window of a session replay, or purges a deleted endpoint. A
 * window is claimed with a conditional write before its first request, so a
 * redelivered message sends nothing twice.
 */
export const handler = queueWorker({
  name: 'session replay',
  message: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('window'),
      ...ids,
      session_id: z.string().regex(/^ses_[0-9a-z]{26}$/),
      replay_id: z.string().regex(/^srp_[0-9a-z]{26}$/),
      window: z.number().int().min(0),
    }),
    z.object({ type: z.literal('purge'), ...ids }),
  ]),
  correlationId: (message) => (message.type === 'window' ? message.replay_id : message.endpoint_id),
  logKeys: (message): Record<string, string | number> =>
    message.type === 'window' ? { replay_id: message.replay_id, window: message.window } : { endpoint_id: message.endpoint_id, job: 'purge' },
  run: (message) => sessionReplay.handle(message),
});
