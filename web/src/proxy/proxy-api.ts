import type { ApiClient } from '../api-client.ts';
import type {
  EndpointChanges,
  EndpointRequest,
  ListPage,
  ProxyEndpoint,
  ProxySession,
  Recording,
  ReplayRequest,
  ReplayWithResults,
  SessionReplay,
  SessionWithRecordings,
} from './types.ts';

const ENDPOINTS = '/api/v1/proxy-endpoints';
const segment = encodeURIComponent;

/** `?limit=…&cursor=…`, the cursor passed on unchanged (encoded). */
function pageQuery(limit: number, cursor?: string | null): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (cursor) params.set('cursor', cursor);
  return `?${params}`;
}

/** The session replay API's paths, every id encoded as one path segment. */
export const proxyPaths = {
  endpoints: (limit: number, cursor?: string | null) => `${ENDPOINTS}${pageQuery(limit, cursor)}`,
  endpoint: (endpointId: string) => `${ENDPOINTS}/${segment(endpointId)}`,
  deleteEndpoint: (endpointId: string, confirm: string) => `${ENDPOINTS}/${segment(endpointId)}?${new URLSearchParams({ confirm })}`,
  recordings: (endpointId: string, limit: number, cursor?: string | null) => `${ENDPOINTS}/${segment(endpointId)}/recordings${pageQuery(limit, cursor)}`,
  sessions: (endpointId: string, limit: number, cursor?: string | null) => `${ENDPOINTS}/${segment(endpointId)}/sessions${pageQuery(limit, cursor)}`,
  importHar: (endpointId: string) => `${ENDPOINTS}/${segment(endpointId)}/sessions/import`,
  session: (endpointId: string, sessionId: string, limit: number, cursor?: string | null) =>
    `${ENDPOINTS}/${segment(endpointId)}/sessions/${segment(sessionId)}${pageQuery(limit, cursor)}`,
  replays: (endpointId: string, sessionId: string) => `${ENDPOINTS}/${segment(endpointId)}/sessions/${segment(sessionId)}/replays`,
  replay: (endpointId: string, sessionId: string, replayId: string, limit: number, cursor?: string | null) =>
    `${ENDPOINTS}/${segment(endpointId)}/sessions/${segment(sessionId)}/replays/${segment(replayId)}${pageQuery(limit, cursor)}`,
  cancelReplay: (endpointId: string, sessionId: string, replayId: string) =>
    `${ENDPOINTS}/${segment(endpointId)}/sessions/${segment(sessionId)}/replays/${segment(replayId)}/cancel`,
};

/** The calls the Proxy page makes, over the shell's one API client (errors are its `ApiError`s). */
export function proxyApi(api: ApiClient) {
  return {
    listEndpoints: (limit: number, cursor?: string | null) => api.get<ListPage<ProxyEndpoint>>(proxyPaths.endpoints(limit, cursor)),
    createEndpoint: (request: EndpointRequest) => api.send<ProxyEndpoint>('POST', ENDPOINTS, request),
    getEndpoint: (endpointId: string) => api.get<ProxyEndpoint>(proxyPaths.endpoint(endpointId)),
    updateEndpoint: (endpointId: string, changes: EndpointChanges) => api.send<ProxyEndpoint>('PATCH', proxyPaths.endpoint(endpointId), changes),
    deleteEndpoint: (endpointId: string, confirm: string) => api.send<{ id: string; deleted: true }>('DELETE', proxyPaths.deleteEndpoint(endpointId, confirm)),
    listRecordings: (endpointId: string, limit: number, cursor?: string | null) => api.get<ListPage<Recording>>(proxyPaths.recordings(endpointId, limit, cursor)),
    listSessions: (endpointId: string, limit: number, cursor?: string | null) => api.get<ListPage<ProxySession>>(proxyPaths.sessions(endpointId, limit, cursor)),
    getSession: (endpointId: string, sessionId: string, limit: number, cursor?: string | null) =>
      api.get<SessionWithRecordings>(proxyPaths.session(endpointId, sessionId, limit, cursor)),
    /** A HAR document as the file holds it: the API validates it and says where it is wrong. */
    importHar: (endpointId: string, harText: string) => api.sendJsonText<ProxySession>('POST', proxyPaths.importHar(endpointId), harText),
    listReplays: (endpointId: string, sessionId: string, limit: number) => api.get<ListPage<SessionReplay>>(`${proxyPaths.replays(endpointId, sessionId)}${pageQuery(limit)}`),
    startReplay: (endpointId: string, sessionId: string, request: ReplayRequest) => api.send<SessionReplay>('POST', proxyPaths.replays(endpointId, sessionId), request),
    getReplay: (endpointId: string, sessionId: string, replayId: string, limit: number, cursor?: string | null) =>
      api.get<ReplayWithResults>(proxyPaths.replay(endpointId, sessionId, replayId, limit, cursor)),
    cancelReplay: (endpointId: string, sessionId: string, replayId: string) => api.send<SessionReplay>('POST', proxyPaths.cancelReplay(endpointId, sessionId, replayId)),
  };
}

export type ProxyApi = ReturnType<typeof proxyApi>;
