import pLimit from 'p-limit';
import { InvalidRequestError, NotFoundError } from '../errors.ts';
import { decodeCursor, encodeCursor, type CursorFormat } from '../cursor.ts';
import { sessionReplayLimits as L } from './limits.ts';
import { isoTime, type RecordingRecord, type ReplayRecord, type ReplayResult, type ReplaySettings } from './model.ts';
import { planKey, resultsKey } from './object-keys.ts';
import type { RecordReplayEnd } from './outcome.ts';
import { planRequests, planWindows } from './plan.ts';
import type { ObjectStore, ProxyStore, ReplayQueue } from './ports.ts';
import { replayView } from './views.ts';

export interface ReplayDependencies {
  store: ProxyStore;
  objects: ObjectStore;
  queue: ReplayQueue;
  nowMs: () => number;
  newReplayId: () => string;
  refuseUrl: (url: string) => string | undefined;
  /** Schedule time one window of a timed replay spans (default: the limit). */
  windowSpanMs?: number;
  /** Records the ledger submission of a replay that ended (here: canceled). */
  onEnded?: RecordReplayEnd;
}

export const sessionNotFound = (id: string) => new NotFoundError(`No such session: ${id}`, 'session_not_found');
export const replayNotFound = (id: string) => new NotFoundError(`No such replay: ${id}`, 'replay_not_found');

const RESULTS_CURSOR: CursorFormat = { version: 'r1', pattern: /^\d{1,6}:\d{1,9}$/ };

/** Creating, reading, listing and canceling the replays of a session. */
export function replayUseCases(deps: ReplayDependencies, requireEndpoint: (projectId: string, id: string) => Promise<{ redact_headers: string[] }>) {
  const requireSession = async (projectId: string, endpointId: string, sessionId: string) => {
    const endpoint = await requireEndpoint(projectId, endpointId);
    const session = await deps.store.getSession(projectId, endpointId, sessionId);
    if (!session) throw sessionNotFound(sessionId);
    return { endpoint, session };
  };

  return {
    requireSession,

    /** Plans the replay (one object per window), stores it queued and sends its first window; a failure leaves nothing behind. */
    async create(caller: { orgId: string; projectId: string }, endpointId: string, sessionId: string, settings: ReplaySettings) {
      const { projectId } = caller;
      const { endpoint } = await requireSession(projectId, endpointId, sessionId);
      const refused = deps.refuseUrl(settings.target_url);
      if (refused) throw new InvalidRequestError(`target_url ${refused}`, 'target_url');
      const recordings = await allRecordings(deps.store, projectId, endpointId, sessionId);
      if (recordings.length === 0) throw new InvalidRequestError(`Session ${sessionId} has no recordings to replay`, 'session_id');

      const requests = planRequests(recordings, settings.speed);
      const windows = planWindows(requests, settings.speed, deps.windowSpanMs);
      const replay: ReplayRecord = {
        ...settings,
        header_overrides: Object.fromEntries(Object.entries(settings.header_overrides).map(([name, value]) => [name.toLowerCase(), value])),
        id: deps.newReplayId(),
        org_id: caller.orgId,
        project_id: projectId,
        endpoint_id: endpointId,
        session_id: sessionId,
        status: 'queued',
        total: requests.length,
        sent: 0,
        passed: 0,
        failed: 0,
        window_count: windows.length,
        windows_done: 0,
        created_at: isoTime(deps.nowMs()),
        started_at_ms: null,
        completed_at: null,
        failure_reason: null,
      };
      const keys = windows.map((_, k) => planKey(replay, k));
      const ref = { project_id: projectId, endpoint_id: endpointId, session_id: sessionId, replay_id: replay.id };
      try {
        const limit = pLimit(8);
        await Promise.all(
          windows.map((spec, k) =>
            limit(() =>
              deps.objects.putPlan(keys[k]!, { spec, next_start_offset_ms: windows[k + 1]?.start_offset_ms ?? null, requests: requests.slice(spec.first, spec.first + spec.count) }),
            ),
          ),
        );
        await deps.store.createReplay(replay);
        await deps.queue.send({ type: 'window', ...ref, window: 0 });
      } catch (error) {
        await Promise.allSettled([deps.store.deleteReplay(projectId, endpointId, sessionId, replay.id), deps.objects.deleteKeys(keys)]);
        throw error;
      }
      return replayView(replay, endpoint.redact_headers);
    },

    async get(projectId: string, endpointId: string, sessionId: string, replayId: string, page: { limit: number; cursor?: string | undefined }) {
      const { endpoint } = await requireSession(projectId, endpointId, sessionId);
      const replay = await deps.store.getReplay(projectId, endpointId, sessionId, replayId);
      if (!replay) throw replayNotFound(replayId);
      const from = page.cursor === undefined ? { window: 0, index: 0 } : resultsCursor(page.cursor);
      const { results, next } = await readResults(deps.objects, replay, from, page.limit);
      return { ...replayView(replay, endpoint.redact_headers), results, next_cursor: next === undefined ? null : encodeResultsCursor(next) };
    },

    async list(projectId: string, endpointId: string, sessionId: string, page: { limit: number; after?: string | undefined }) {
      const { endpoint } = await requireSession(projectId, endpointId, sessionId);
      const found = await deps.store.listReplays(projectId, endpointId, sessionId, { limit: page.limit, ...(page.after ? { after: page.after } : {}) });
      return { object: 'list' as const, data: found.items.map((r) => replayView(r, endpoint.redact_headers)), next_cursor: found.next ?? null };
    },

    /** queued or running → canceled, and its outcome to the ledger; requests already sent keep their results, no further one is sent. */
    async cancel(projectId: string, endpointId: string, sessionId: string, replayId: string) {
      const { endpoint } = await requireSession(projectId, endpointId, sessionId);
      const ref = { project_id: projectId, endpoint_id: endpointId, session_id: sessionId, replay_id: replayId };
      const canceled = await deps.store.endReplay(ref, 'canceled', ['queued', 'running'], isoTime(deps.nowMs()));
      if (canceled) {
        await deps.onEnded?.(canceled);
        return replayView(canceled, endpoint.redact_headers);
      }
      const current = await deps.store.getReplay(projectId, endpointId, sessionId, replayId);
      if (!current) throw replayNotFound(replayId);
      throw new InvalidRequestError(`Only a queued or running replay can be canceled; ${replayId} is ${current.status}`, 'replay_id');
    },
  };
}

async function allRecordings(store: ProxyStore, projectId: string, endpointId: string, sessionId: string): Promise<RecordingRecord[]> {
  const all: RecordingRecord[] = [];
  let after: string | undefined;
  do {
    const page = await store.sessionRecordings(projectId, endpointId, sessionId, { limit: 1_000, ...(after ? { after } : {}) });
    all.push(...page.items);
    if (all.length > L.maxReplayRequests) {
      throw new InvalidRequestError(`A replay sends at most ${L.maxReplayRequests} requests; session ${sessionId} has more`, 'session_id');
    }
    after = page.next;
  } while (after);
  return all;
}

interface ResultsPosition {
  window: number;
  index: number;
}

/**
 * Results from a position on, in request order: windows are read in order,
 * up to the first that has written none yet (windows run in order).
 */
async function readResults(objects: ObjectStore, replay: ReplayRecord, from: ResultsPosition, limit: number): Promise<{ results: ReplayResult[]; next?: ResultsPosition }> {
  const collected: (ReplayResult & { window: number })[] = [];
  for (let k = from.window; k < replay.window_count && collected.length <= limit; k++) {
    const results = await objects.getResults(resultsKey(replay, k));
    if (!results) break;
    collected.push(...results.filter((r) => r.index >= from.index).sort((a, b) => a.index - b.index).map((r) => ({ ...r, window: k })));
  }
  const strip = ({ window: _window, ...result }: ReplayResult & { window: number }): ReplayResult => result;
  if (collected.length <= limit) return { results: collected.map(strip) };
  const next = collected[limit]!;
  return { results: collected.slice(0, limit).map(strip), next: { window: next.window, index: next.index } };
}

function resultsCursor(cursor: string): ResultsPosition {
  const [window, index] = decodeCursor(cursor, RESULTS_CURSOR).split(':');
  return { window: Number(window), index: Number(index) };
}

const encodeResultsCursor = (at: ResultsPosition) => encodeCursor(`${at.window}:${at.index}`, RESULTS_CURSOR);
