import { describe, expect, it } from 'vitest';
import { createS3ManifestStore } from '../../../functions/adapters/s3/manifest-store.ts';
import { createReplayRunService, type ReplayRunDependencies } from '../../../functions/core/replay-runs/replay-run-service.ts';
import { newRunId, newUuidV7 } from '../../../functions/shared/ids.ts';
import { buckets } from '../../../lib/catalogue.ts';
import { replayStore, requiredEnv, threeTraces } from './support.ts';

describe('a create that cannot start its run', () => {
  it('leaves neither the run nor its manifest behind, and reports the error that stopped it', async () => {
    // Prepare: the real store and bucket; a dispatcher whose queue refuses the message.
    const store = replayStore();
    const manifests = createS3ManifestStore(requiredEnv(buckets.artifacts.envName));
    const runId = newRunId();
    const service = createReplayRunService({
      store,
      manifests,
      dispatcher: {
        enqueue: () => Promise.reject(new Error('queue unavailable')),
        scheduleAt: () => Promise.reject(new Error('scheduler unavailable')),
        unschedule: async () => {},
      },
      providers: { configured: async () => new Set() },
      recordOutcome: async () => {},
      now: () => new Date(),
      newRunId: () => runId,
      newId: newUuidV7,
      version: 'test',
      signingKey: async () => undefined,
      // A create of this class touches nothing else.
    } as Partial<ReplayRunDependencies> as ReplayRunDependencies);

    // Act
    const creating = service.create({ orgId: 'rollback-org', projectId: 'rollback-project' }, { baseline: 'managed', candidate: 'managed_mini', replay_class: 'tokenized_performance', traces: threeTraces });

    // Assess
    await expect(creating).rejects.toThrow('queue unavailable');
    expect(await store.getRun('rollback-project', runId)).toBeUndefined();
    await expect(manifests.get(`manifests/rollback-project/${runId}.json`)).rejects.toThrow();
  });
});
