import type { JobOutcome } from '../../../../functions/core/ledger/job-outcome.ts';
import { outcomeSubmissionId } from '../../../../functions/core/ledger/job-outcome.ts';
import type { PlannedRequest, PlannedWindow, ReplayRecord, ReplayResult, ReplaySpeed, SessionReplayMessage, WindowMessage } from '../../../../functions/core/session-replay/model.ts';
import { planKey } from '../../../../functions/core/session-replay/object-keys.ts';
import type { ObjectStore, Outbound, ProxyStore, ReplayQueue } from '../../../../functions/core/session-replay/ports.ts';

/**
 * The replay side of a `ProxyStore` in memory, with the conditions the
 * DynamoDB store enforces (a window is claimed once and only while its replay
 * runs; done once, adding its counts in the same step; a replay ends from the
 * given states only), plus the object store, queue, target and ledger a worker
 * talks to. `failNext(name)` makes the next call of that name throw before it
 * changes anything (a message not sent, a write not made), as a worker dying
 * there or an outage would.
 */
export function fakeReplayPlatform() {
  const replays = new Map<string, ReplayRecord>();
  const windows = new Map<string, 'claimed' | 'done'>();
  const objects = new Map<string, unknown>();
  const failures = new Map<string, number>();
  const sent: SessionReplayMessage[] = [];
  const arrivals: string[] = [];
  const ledger = new Map<string, { orgId: string; outcome: JobOutcome }>();
  let recordCalls = 0;

  const injected = (name: string) => {
    const left = failures.get(name) ?? 0;
    if (left === 0) return;
    failures.set(name, left - 1);
    throw new Error(`injected ${name} failure`);
  };
  const windowKey = (ref: WindowMessage) => `${ref.replay_id}#${ref.window}`;
  const replayOf = (replayId: string) => replays.get(replayId);

  const store = {
    async createReplay(replay: ReplayRecord) {
      replays.set(replay.id, structuredClone(replay));
    },
    async getReplay(_p: string, _e: string, _s: string, replayId: string) {
      return structuredClone(replayOf(replayId));
    },
    async startReplay(ref: WindowMessage, startedAtMs: number) {
      const replay = replayOf(ref.replay_id);
      if (replay?.status !== 'queued') return undefined;
      Object.assign(replay, { status: 'running', started_at_ms: startedAtMs });
      return structuredClone(replay);
    },
    async claimWindow(ref: WindowMessage) {
      injected('claimWindow');
      if (replayOf(ref.replay_id)?.status !== 'running' || windows.has(windowKey(ref))) return false;
      windows.set(windowKey(ref), 'claimed');
      return true;
    },
    async windowState(ref: WindowMessage) {
      return windows.get(windowKey(ref));
    },
    async addProgress(ref: WindowMessage, delta: { sent: number; passed: number; failed: number }) {
      const replay = replayOf(ref.replay_id)!;
      Object.assign(replay, { sent: replay.sent + delta.sent, passed: replay.passed + delta.passed, failed: replay.failed + delta.failed });
    },
    async finishWindow(ref: WindowMessage, delta: { sent: number; passed: number; failed: number }) {
      injected('finishWindow');
      const replay = replayOf(ref.replay_id);
      if (replay && windows.get(windowKey(ref)) === 'claimed') {
        windows.set(windowKey(ref), 'done');
        Object.assign(replay, { sent: replay.sent + delta.sent, passed: replay.passed + delta.passed, failed: replay.failed + delta.failed, windows_done: replay.windows_done + 1 });
      }
      return structuredClone(replay);
    },
    async endReplay(ref: Omit<WindowMessage, 'type' | 'window'>, to: ReplayRecord['status'], from: ReplayRecord['status'][], at: string, reason?: string) {
      injected('endReplay');
      const replay = replayOf(ref.replay_id);
      if (!replay || !from.includes(replay.status)) return undefined;
      Object.assign(replay, { status: to, completed_at: at, ...(reason ? { failure_reason: reason } : {}) });
      return structuredClone(replay);
    },
    async overdueReplays() {
      const refs = (status: string) =>
        [...replays.values()]
          .filter((r) => r.status === status)
          .map((r) => ({ type: 'window' as const, project_id: r.project_id, endpoint_id: r.endpoint_id, session_id: r.session_id, replay_id: r.id, window: 0 }));
      return { running: refs('running'), queued: [] };
    },
    async unpurged() {
      return [];
    },
    async getEndpoint(_p: string, endpointId: string) {
      return { id: endpointId, redact_headers: [] };
    },
    async getSession(_p: string, endpointId: string, sessionId: string) {
      return { id: sessionId, endpoint_id: endpointId };
    },
  };

  const objectStore = {
    async putPlan(key: string, window: PlannedWindow) {
      objects.set(key, structuredClone(window));
    },
    async getPlan(key: string) {
      return structuredClone(objects.get(key)) as PlannedWindow;
    },
    async putResults(key: string, results: ReplayResult[]) {
      objects.set(key, structuredClone(results));
    },
    async getResults(key: string) {
      return structuredClone(objects.get(key)) as ReplayResult[] | undefined;
    },
    async getBody(): Promise<Buffer> {
      throw new Error('no bodies in these plans');
    },
  };

  const queue: ReplayQueue = {
    async send(message) {
      injected('send');
      sent.push(structuredClone(message));
    },
  };

  const target: Outbound = {
    async request(url) {
      arrivals.push(new URL(url).pathname);
      return { status: 200, headers: {}, setCookies: [], body: Buffer.alloc(0), elapsedMs: 1 };
    },
  };

  /** The ledger's promise: an outcome recorded again (same kind, id and end time) writes nothing. */
  const recordOutcome = async (orgId: string, outcome: JobOutcome) => {
    recordCalls++;
    injected('recordOutcome');
    const id = outcomeSubmissionId(outcome);
    if (!ledger.has(id)) ledger.set(id, { orgId, outcome: structuredClone(outcome) });
  };

  /** A replay stored queued with its plan: one window per entry of `windows`, each the due offsets of its requests. */
  async function seedReplay(id: string, speed: ReplaySpeed, windowOffsets: number[][]): Promise<ReplayRecord> {
    let index = 0;
    const planned = windowOffsets.map((offsets) =>
      offsets.map((offset_ms): PlannedRequest => {
        const i = index++;
        return {
          index: i,
          recording_id: `rec_${i}`,
          method: 'GET',
          path: `/${id}/${i}`,
          query: '',
          headers: {},
          redacted_headers: [],
          body: null,
          expected_status: 200,
          expected_body: null,
          expected_content_type: null,
          expected_content_encoding: null,
          offset_ms,
        };
      }),
    );
    const replay: ReplayRecord = {
      id,
      org_id: 'org_1',
      project_id: 'prj_1',
      endpoint_id: 'pep_1',
      session_id: 'ses_1',
      target_url: 'https://target.example.com',
      speed,
      header_overrides: {},
      compare: 'status',
      ignore_paths: [],
      status: 'queued',
      total: index,
      sent: 0,
      passed: 0,
      failed: 0,
      window_count: planned.length,
      windows_done: 0,
      created_at: new Date().toISOString(),
      started_at_ms: null,
      completed_at: null,
      failure_reason: null,
    };
    for (const [k, requests] of planned.entries()) {
      const first = requests[0]!;
      const last = requests.at(-1)!;
      await objectStore.putPlan(planKey(replay, k), {
        spec: { first: first.index, count: requests.length, start_offset_ms: first.offset_ms, end_offset_ms: last.offset_ms },
        next_start_offset_ms: planned[k + 1]?.[0]?.offset_ms ?? null,
        requests,
      });
    }
    await store.createReplay(replay);
    return replay;
  }

  const messageOf = (replay: ReplayRecord, window: number): WindowMessage => ({
    type: 'window',
    project_id: replay.project_id,
    endpoint_id: replay.endpoint_id,
    session_id: replay.session_id,
    replay_id: replay.id,
    window,
  });

  return {
    store: store as unknown as ProxyStore,
    objects: objectStore as unknown as ObjectStore,
    queue,
    target,
    recordOutcome,
    seedReplay,
    messageOf,
    /** Makes the next `times` calls of `name` (a store method, `send`, or the ledger's `recordOutcome`) throw. */
    failNext: (name: 'send' | 'claimWindow' | 'finishWindow' | 'endReplay' | 'recordOutcome', times = 1) => void failures.set(name, times),
    replay: (id: string) => structuredClone(replayOf(id)),
    /** Takes the messages sent so far off the queue. */
    takeSent: () => sent.splice(0, sent.length),
    sent,
    arrivals,
    ledger,
    recordCalls: () => recordCalls,
  };
}

export type FakeReplayPlatform = ReturnType<typeof fakeReplayPlatform>;
