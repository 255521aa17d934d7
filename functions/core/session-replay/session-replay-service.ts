import { decodeCursor, encodeCursor, type CursorFormat } from '../cursor.ts';
import type { RecordJobOutcome } from '../ledger/job-outcome.ts';
import { endpointUseCases, type EndpointDependencies } from './endpoints.ts';
import { harToRecordings, type HarEntry } from './har.ts';
import { isoTime, type SessionReplayMessage } from './model.ts';
import type { Outbound } from './ports.ts';
import { proxyRequest, type ProxiedRequest } from './proxy.ts';
import { replayUseCases, sessionNotFound, type ReplayDependencies } from './replays.ts';
import { runWindow } from './run-window.ts';
import { replayEndRecorder } from './outcome.ts';
import { purgeEndpoint, sweepSessionReplays } from './upkeep.ts';
import { recordingView, sessionView } from './views.ts';

export type SessionReplayDependencies = EndpointDependencies &
  Omit<ReplayDependencies, 'onEnded'> & {
    upstream: Outbound;
    target: Outbound;
    newRecordingId: (atMs: number) => string;
    /** A fresh id sequence for one import (its entries' times, ascending). */
    recordingIdSequence: () => (atMs: number) => string;
    newSessionId: () => string;
    describeFailure: (error: unknown) => { code: string; message: string } | undefined;
    /** Writes an ended replay's ledger submission (once, however often it is called). */
    recordOutcome?: RecordJobOutcome;
    log: (message: string, fields: Record<string, unknown>) => void;
  };

const PAGE_CURSOR: CursorFormat = { version: 'p1', pattern: /^[A-Za-z0-9_#:-]{1,200}$/ };

/** Proxy endpoints, recording, sessions and session replays, over ports. */
export function createSessionReplayService(deps: SessionReplayDependencies) {
  const endpoints = endpointUseCases(deps);
  // Whatever ends a replay (its last window, a cancel, the sweep) records its outcome.
  const withLedger = { ...deps, ...(deps.recordOutcome ? { onEnded: replayEndRecorder(deps, deps.recordOutcome) } : {}) };
  const replays = replayUseCases(withLedger, endpoints.requireEndpoint);
  const page = (query: { limit: number; cursor?: string | undefined }) => ({ limit: query.limit, after: query.cursor === undefined ? undefined : decodePageCursor(query.cursor) });
  const listOf = <T, V>(found: { items: T[]; next?: string }, view: (item: T) => V) => ({
    object: 'list' as const,
    data: found.items.map(view),
    next_cursor: found.next === undefined ? null : encodePageCursor(found.next),
  });

  return {
    createEndpoint: endpoints.create,
    getEndpoint: endpoints.get,
    updateEndpoint: endpoints.update,
    deleteEndpoint: endpoints.remove,
    async listEndpoints(projectId: string, query: { limit: number; cursor?: string | undefined }, baseUrl: string) {
      const result = await endpoints.list(projectId, page(query), baseUrl);
      return { ...result, next_cursor: result.next_cursor === null ? null : encodePageCursor(result.next_cursor) };
    },

    async listRecordings(projectId: string, endpointId: string, query: { limit: number; cursor?: string | undefined }) {
      await endpoints.requireEndpoint(projectId, endpointId);
      return listOf(await deps.store.listRecordings(projectId, endpointId, page(query)), (r) => recordingView(r));
    },

    async listSessions(projectId: string, endpointId: string, query: { limit: number; cursor?: string | undefined }) {
      await endpoints.requireEndpoint(projectId, endpointId);
      return listOf(await deps.store.listSessions(projectId, endpointId, page(query)), sessionView);
    },

    async getSession(projectId: string, endpointId: string, sessionId: string, query: { limit: number; cursor?: string | undefined }) {
      const { session } = await replays.requireSession(projectId, endpointId, sessionId);
      const recordings = listOf(await deps.store.sessionRecordings(projectId, endpointId, sessionId, page(query)), (r) => recordingView(r));
      return { ...sessionView(session), recordings: recordings.data, next_cursor: recordings.next_cursor };
    },

    /** One recording with its bodies, those kept as objects included. */
    async getRecording(projectId: string, endpointId: string, sessionId: string, recordingId: string) {
      await replays.requireSession(projectId, endpointId, sessionId);
      const recording = await deps.store.getRecording(projectId, endpointId, sessionId, recordingId);
      if (!recording) throw sessionNotFound(`${sessionId}/recordings/${recordingId}`);
      const [request, response] = await Promise.all(
        [recording.request_body, recording.response_body].map((body) => (body?.objectKey ? deps.objects.getBody(body.objectKey) : Promise.resolve(undefined))),
      );
      return recordingView(recording, { ...(request ? { request } : {}), ...(response ? { response } : {}) });
    },

    /** A HAR document's entries as one new session. */
    async importHar(projectId: string, endpointId: string, entries: HarEntry[]) {
      const endpoint = await endpoints.requireEndpoint(projectId, endpointId);
      const nowIso = isoTime(deps.nowMs());
      const place = { projectId, endpointId, sessionId: deps.newSessionId(), upstreamUrl: endpoint.upstream_url, redactHeaders: endpoint.redact_headers };
      const { session, recordings, objects } = harToRecordings(entries, place, deps.recordingIdSequence(), nowIso);
      try {
        for (const object of objects) await deps.objects.putBody(object.key, object.bytes);
        await deps.store.putImportedSession(projectId, session, recordings);
      } catch (error) {
        await deps.objects.deleteKeys(objects.map((o) => o.key)).catch(() => undefined);
        throw error;
      }
      return sessionView(session);
    },

    createReplay: replays.create,
    getReplay: replays.get,
    cancelReplay: replays.cancel,
    listReplays: (projectId: string, endpointId: string, sessionId: string, query: { limit: number; cursor?: string | undefined }) =>
      replays.list(projectId, endpointId, sessionId, page(query)).then((result) => ({
        ...result,
        next_cursor: result.next_cursor === null ? null : encodePageCursor(result.next_cursor),
      })),

    proxy: (request: ProxiedRequest) => proxyRequest(deps, request),

    handle(message: SessionReplayMessage) {
      return message.type === 'purge' ? purgeEndpoint(deps, message.project_id, message.endpoint_id) : runWindow(withLedger, message);
    },
    sweep: () => sweepSessionReplays(withLedger),
  };
}

export type SessionReplayService = ReturnType<typeof createSessionReplayService>;

/** An opaque cursor: the sort position of the last item served, within the caller's own partition. */
const encodePageCursor = (position: string) => encodeCursor(position, PAGE_CURSOR);
const decodePageCursor = (cursor: string) => decodeCursor(cursor, PAGE_CURSOR);
