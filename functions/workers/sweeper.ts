import { logger } from '#shared/logger.ts';
import { sweeps } from './sweeps.ts';

/**
 * Runs on a rate schedule. Each sweep repairs one kind of stuck state
 * (a job whose worker died, a schedule that was missed); sweeps are
 * independent, so one failing does not stop the others.
 */
export async function handler(): Promise<{ swept: Record<string, number> }> {
  const swept: Record<string, number> = {};
  for (const [name, sweep] of Object.entries(sweeps)) {
    try {
      swept[name] = await sweep();
    } catch (error) {
      logger.error('Sweep failed', { sweep: name, error: error as Error });
    }
  }
  logger.info('Sweep finished', { swept });
  return { swept };
}
