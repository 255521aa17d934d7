import { describe, expect, it } from 'vitest';
import { createSessionReplayService, type SessionReplayDependencies } from '../../../../functions/core/session-replay/session-replay-service.ts';
import { fakeReplayPlatform, type FakeReplayPlatform } from './fake-replay-platform.ts';

function serviceOver(platform: FakeReplayPlatform) {
  const unused = () => {
    throw new Error('not used by these tests');
  };
  const deps: SessionReplayDependencies = {
    store: platform.store,
    objects: platform.objects,
    queue: platform.queue,
    target: platform.target,
    upstream: platform.target,
    nowMs: () => Date.now(),
    newEndpointId: unused,
    newSessionId: unused,
    newReplayId: unused,
    newRecordingId: unused,
    recordingIdSequence: unused,
    newToken: unused,
    refuseUrl: () => undefined,
    describeFailure: () => undefined,
    recordOutcome: platform.recordOutcome,
    log: () => undefined,
  };
  return createSessionReplayService(deps);
}

/** Delivers what is on the queue, and what that sends, until it is empty; the windows delivered, in order. */
async function drain(platform: FakeReplayPlatform, service: ReturnType<typeof serviceOver>): Promise<number[]> {
  const delivered: number[] = [];
  for (let message = platform.takeSent(); message.length > 0; message = platform.takeSent()) {
    for (const m of message) {
      if (m.type === 'window') delivered.push(m.window);
      await service.handle(m);
    }
  }
  return delivered;
}

const pathsOf = (id: string, n: number) => Array.from({ length: n }, (_, i) => `/${id}/${i}`).sort();

describe('a window message delivered again after its window was finished', () => {
  it('sends the next window of an instant replay when its worker stopped before doing so, and the replay completes', async () => {
    const platform = fakeReplayPlatform();
    const service = serviceOver(platform);
    const replay = await platform.seedReplay('srp_instant', 'instant', [[0, 0], [0, 0], [0, 0]]);
    const first = platform.messageOf(replay, 0);

    platform.failNext('send');
    await expect(service.handle(first)).rejects.toThrow(/injected send/);
    const stranded = platform.replay(replay.id);
    const again = await service.handle(first);
    const windows = await drain(platform, service);
    const late = await service.handle(first);

    expect(stranded).toMatchObject({ status: 'running', windows_done: 1, sent: 2 });
    expect(again).toBe('duplicate');
    expect(windows).toEqual([1, 2]);
    expect(late).toBe('ignored');
    expect(platform.replay(replay.id)).toMatchObject({ status: 'completed', windows_done: 3, sent: 6, passed: 6, failed: 0 });
    expect([...platform.arrivals].sort()).toEqual(pathsOf(replay.id, 6));
    expect([...platform.ledger.values()]).toEqual([
      { orgId: 'org_1', outcome: expect.objectContaining({ kind: 'session_replay', runId: replay.id, status: 'success', actions_total: 6, actions_replayed: 6, divergences: 0 }) },
    ]);
  });

  it('completes the replay and records its outcome when the last window ended but completing it failed', async () => {
    const platform = fakeReplayPlatform();
    const service = serviceOver(platform);
    const replay = await platform.seedReplay('srp_timed', '1x', [[0, 20], [40]]);

    expect(await service.handle(platform.messageOf(replay, 0))).toBe('sent');
    const [next] = platform.takeSent();
    platform.failNext('endReplay');
    await expect(service.handle(next!)).rejects.toThrow(/injected endReplay/);
    const stranded = platform.replay(replay.id);
    const again = await service.handle(next!);

    expect(stranded).toMatchObject({ status: 'running', windows_done: 2, window_count: 2 });
    expect(again).toBe('duplicate');
    expect(platform.replay(replay.id)).toMatchObject({ status: 'completed', sent: 3, passed: 3 });
    expect(platform.sent).toEqual([]);
    expect([...platform.arrivals].sort()).toEqual(pathsOf(replay.id, 3));
    expect([...platform.ledger.values()].map((entry) => entry.outcome)).toEqual([expect.objectContaining({ runId: replay.id, status: 'success', actions_total: 3 })]);
  });

  it('does nothing for a window claimed but not finished (its worker may still run; the sweeper ends a dead one)', async () => {
    const platform = fakeReplayPlatform();
    const service = serviceOver(platform);
    const replay = await platform.seedReplay('srp_unfinished', 'instant', [[0], [0]]);

    platform.failNext('finishWindow');
    await expect(service.handle(platform.messageOf(replay, 0))).rejects.toThrow(/injected finishWindow/);
    const again = await service.handle(platform.messageOf(replay, 0));

    expect(again).toBe('duplicate');
    expect(platform.sent).toEqual([]);
    expect(platform.replay(replay.id)).toMatchObject({ status: 'running', windows_done: 0 });
    expect(platform.arrivals).toEqual([`/${replay.id}/0`]);
    expect(platform.ledger.size).toBe(0);
  });

  it('leaves a timed window unclaimed when sending its next window fails, so the retry sends it and the replay completes', async () => {
    const platform = fakeReplayPlatform();
    const service = serviceOver(platform);
    const replay = await platform.seedReplay('srp_timed_send', '1x', [[0, 20], [40]]);
    const first = platform.messageOf(replay, 0);

    platform.failNext('send');
    await expect(service.handle(first)).rejects.toThrow(/injected send/);
    const retried = await service.handle(first);
    const windows = await drain(platform, service);

    expect(retried).toBe('sent');
    expect(windows).toEqual([1]);
    expect(platform.replay(replay.id)).toMatchObject({ status: 'completed', windows_done: 2, sent: 3, passed: 3 });
    expect([...platform.arrivals].sort()).toEqual(pathsOf(replay.id, 3));
  });

  it('sends no next window that was claimed already', async () => {
    const platform = fakeReplayPlatform();
    const service = serviceOver(platform);
    const replay = await platform.seedReplay('srp_claimed_next', 'instant', [[0], [0], [0]]);

    await service.handle(platform.messageOf(replay, 0));
    await service.handle(platform.takeSent()[0]!);
    const copy = await service.handle(platform.messageOf(replay, 0));

    expect(copy).toBe('duplicate');
    expect(platform.takeSent()).toEqual([platform.messageOf(replay, 2)]);
  });
});

describe('the ledger submission of a replay that ends without completing', () => {
  it('is written when the sweep fails a stalled replay: status failed, the requests it reached', async () => {
    const platform = fakeReplayPlatform();
    const service = serviceOver(platform);
    const replay = await platform.seedReplay('srp_stalled', 'instant', [[0, 0], [0]]);
    // A worker that died before finishing window 0 (its requests sent, its counts not written).
    platform.failNext('finishWindow');
    await expect(service.handle(platform.messageOf(replay, 0))).rejects.toThrow(/injected finishWindow/);

    expect(await service.sweep()).toBe(1);
    const late = await service.handle(platform.messageOf(replay, 0));

    expect(platform.replay(replay.id)).toMatchObject({ status: 'failed', failure_reason: expect.stringMatching(/stalled/) });
    expect(late).toBe('ignored');
    expect([...platform.ledger.values()]).toEqual([
      {
        orgId: 'org_1',
        outcome: expect.objectContaining({ kind: 'session_replay', runId: replay.id, status: 'failed', actions_total: 3, actions_replayed: 0, finished_at: platform.replay(replay.id)!.completed_at }),
      },
    ]);
  });

  it('is written when a replay is canceled, queued or running, and a copy of a message afterwards writes nothing more', async () => {
    const platform = fakeReplayPlatform();
    const service = serviceOver(platform);
    const queued = await platform.seedReplay('srp_cancel_queued', 'instant', [[0]]);
    const running = await platform.seedReplay('srp_cancel_running', 'instant', [[0, 0], [0]]);
    await service.handle(platform.messageOf(running, 0));

    const canceledQueued = await service.cancelReplay('prj_1', 'pep_1', 'ses_1', queued.id);
    const canceledRunning = await service.cancelReplay('prj_1', 'pep_1', 'ses_1', running.id);
    const copies = [await service.handle(platform.messageOf(queued, 0)), ...(await Promise.all(platform.takeSent().map((m) => service.handle(m))))];

    expect([canceledQueued.status, canceledRunning.status]).toEqual(['canceled', 'canceled']);
    expect(copies).toEqual(['ignored', 'ignored']);
    expect(platform.arrivals).toHaveLength(2);
    const outcomes = [...platform.ledger.values()].map((entry) => entry.outcome);
    expect(outcomes).toEqual([
      expect.objectContaining({ runId: queued.id, status: 'failed', actions_total: 1, actions_replayed: 0 }),
      expect.objectContaining({ runId: running.id, status: 'failed', actions_total: 3, actions_replayed: 2, divergences: 0 }),
    ]);
  });

  it('is written by a later message of a canceled replay when the cancel could not write it', async () => {
    const platform = fakeReplayPlatform();
    const service = serviceOver(platform);
    const replay = await platform.seedReplay('srp_cancel_retry', 'instant', [[0]]);

    platform.failNext('recordOutcome');
    const canceled = await service.cancelReplay('prj_1', 'pep_1', 'ses_1', replay.id);
    const before = platform.ledger.size;
    await service.handle(platform.messageOf(replay, 0));

    expect(canceled.status).toBe('canceled');
    expect(before).toBe(0);
    expect([...platform.ledger.values()].map((entry) => entry.outcome)).toEqual([expect.objectContaining({ runId: replay.id, status: 'failed' })]);
  });
});
