import { sessionReplayLimits as L } from './limits.ts';
import { isoTime } from './model.ts';
import { endpointPrefix } from './object-keys.ts';
import type { RecordReplayEnd } from './outcome.ts';
import type { ObjectStore, ProxyStore, ReplayQueue } from './ports.ts';

export interface UpkeepDependencies {
  store: ProxyStore;
  objects: ObjectStore;
  queue: ReplayQueue;
  nowMs: () => number;
  /** Records the ledger submission of a replay the sweep ended. */
  onEnded?: RecordReplayEnd;
}

/**
 * Repairs what a dead worker or a lost message left: a running replay with no
 * progress past its deadline ends `failed` with the reason (and its outcome
 * goes to the ledger); a replay still
 * queued after the grace gets its first message again (claims are conditional,
 * so a duplicate sends nothing twice); a deleted endpoint whose purge has not
 * finished gets its purge message again.
 */
export async function sweepSessionReplays(deps: UpkeepDependencies): Promise<number> {
  const now = deps.nowMs();
  const { running, queued } = await deps.store.overdueReplays(isoTime(now), isoTime(now - L.queuedGraceMs));
  let touched = 0;
  for (const ref of running) {
    const replay = await deps.store.getReplay(ref.project_id, ref.endpoint_id, ref.session_id, ref.replay_id);
    if (!replay) continue;
    const reason =
      `The replay stalled: a worker stopped with ${replay.windows_done} of ${replay.window_count} windows finished ` +
      `(${replay.sent} of ${replay.total} requests sent). Requests it had not sent were not sent; start a new replay to retry.`;
    const failed = await deps.store.endReplay(ref, 'failed', ['running'], isoTime(now), reason);
    if (!failed) continue;
    touched++;
    await deps.onEnded?.(failed);
  }
  for (const ref of queued) {
    await deps.queue.send({ ...ref, type: 'window', window: 0 });
    await deps.store.postponeSweep(ref, isoTime(now + L.queuedGraceMs));
    touched++;
  }
  for (const endpoint of await deps.store.unpurged(isoTime(now))) {
    await deps.queue.send({ type: 'purge', ...endpoint });
    touched++;
  }
  return touched;
}

/** Deletes a deleted endpoint's items and objects, a budget at a time; sends itself again until done. */
export async function purgeEndpoint(deps: UpkeepDependencies, projectId: string, endpointId: string): Promise<'done' | 'continued'> {
  await deps.objects.deletePrefix(endpointPrefix(projectId, endpointId));
  const { done } = await deps.store.purgeEndpoint(projectId, endpointId, 5_000);
  if (done) return 'done';
  await deps.queue.send({ type: 'purge', project_id: projectId, endpoint_id: endpointId });
  return 'continued';
}
