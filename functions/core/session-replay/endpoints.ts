import { ConflictError, InvalidRequestError, NotFoundError } from '../errors.ts';
import { sessionReplayLimits as L } from './limits.ts';
import { isoTime, type EndpointRecord } from './model.ts';
import { tokenHash } from './proxy.ts';
import type { ProxyStore, ReplayQueue } from './ports.ts';
import { endpointView } from './views.ts';

export interface EndpointInput {
  name: string;
  upstream_url: string;
  recording: boolean;
  session_header?: string | undefined;
  session_idle_seconds?: number | undefined;
  redact_headers?: string[] | undefined;
}

export type EndpointChanges = Partial<Omit<EndpointInput, 'session_header' | 'session_idle_seconds' | 'redact_headers'>> & {
  session_header?: string | undefined;
  session_idle_seconds?: number | undefined;
  redact_headers?: string[] | undefined;
};

export interface EndpointDependencies {
  store: ProxyStore;
  queue: ReplayQueue;
  nowMs: () => number;
  newEndpointId: () => string;
  newToken: () => string;
  /** Why a user URL is refused before any request (not http(s), credentials, a literal non-public address), or undefined. */
  refuseUrl: (url: string) => string | undefined;
}

export const endpointNotFound = (id: string) => new NotFoundError(`No such proxy endpoint: ${id}`, 'proxy_endpoint_not_found');

/** Endpoint use cases; every view is given the API's base URL for its proxy URL. */
export function endpointUseCases(deps: EndpointDependencies) {
  const requireEndpoint = async (projectId: string, id: string) => {
    const endpoint = await deps.store.getEndpoint(projectId, id);
    if (!endpoint) throw endpointNotFound(id);
    return endpoint;
  };
  const checkUpstream = (url: string) => {
    const refused = deps.refuseUrl(url);
    if (refused) throw new InvalidRequestError(`upstream_url ${refused}`, 'upstream_url');
  };

  return {
    requireEndpoint,

    async create(projectId: string, input: EndpointInput, baseUrl: string) {
      checkUpstream(input.upstream_url);
      if ((await deps.store.countEndpoints(projectId)) >= L.maxEndpointsPerProject) {
        throw new ConflictError(`A project has at most ${L.maxEndpointsPerProject} proxy endpoints; delete one first`, 'too_many_endpoints');
      }
      const now = isoTime(deps.nowMs());
      const endpoint: EndpointRecord = {
        id: deps.newEndpointId(),
        project_id: projectId,
        name: input.name,
        upstream_url: input.upstream_url,
        recording: input.recording,
        session_header: (input.session_header ?? L.defaultSessionHeader).toLowerCase(),
        session_idle_seconds: input.session_idle_seconds ?? L.defaultSessionIdleSeconds,
        redact_headers: normaliseNames(input.redact_headers ?? []),
        token: deps.newToken(),
        created_at: now,
        updated_at: now,
      };
      await deps.store.createEndpoint(endpoint, tokenHash(endpoint.token));
      return endpointView(endpoint, baseUrl);
    },

    async get(projectId: string, id: string, baseUrl: string) {
      return endpointView(await requireEndpoint(projectId, id), baseUrl);
    },

    async list(projectId: string, page: { limit: number; after?: string | undefined }, baseUrl: string) {
      const found = await deps.store.listEndpoints(projectId, { limit: page.limit, ...(page.after ? { after: page.after } : {}) });
      return { object: 'list' as const, data: found.items.map((e) => endpointView(e, baseUrl)), next_cursor: found.next ?? null };
    },

    async update(projectId: string, id: string, changes: EndpointChanges, baseUrl: string) {
      if (changes.upstream_url !== undefined) checkUpstream(changes.upstream_url);
      const cleaned = {
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.upstream_url !== undefined ? { upstream_url: changes.upstream_url } : {}),
        ...(changes.recording !== undefined ? { recording: changes.recording } : {}),
        ...(changes.session_header !== undefined ? { session_header: changes.session_header.toLowerCase() } : {}),
        ...(changes.session_idle_seconds !== undefined ? { session_idle_seconds: changes.session_idle_seconds } : {}),
        ...(changes.redact_headers !== undefined ? { redact_headers: normaliseNames(changes.redact_headers) } : {}),
      };
      if (Object.keys(cleaned).length === 0) return endpointView(await requireEndpoint(projectId, id), baseUrl);
      const updated = await deps.store.updateEndpoint(projectId, id, cleaned, isoTime(deps.nowMs()));
      if (!updated) throw endpointNotFound(id);
      return endpointView(updated, baseUrl);
    },

    /** Stops the endpoint at once (its token no longer works) and purges what it recorded in the background. */
    async remove(projectId: string, id: string, confirm: string) {
      const endpoint = await requireEndpoint(projectId, id);
      if (confirm !== endpoint.name) {
        throw new InvalidRequestError(`confirm must be the endpoint's name ("${endpoint.name}"): deleting removes its recordings, sessions and replays`, 'confirm');
      }
      const purgeAfter = isoTime(deps.nowMs() + L.queuedGraceMs);
      if (!(await deps.store.markEndpointDeleted(projectId, id, tokenHash(endpoint.token), purgeAfter))) throw endpointNotFound(id);
      // If this send is lost, the sweeper sends it again after `purgeAfter`.
      await deps.queue.send({ type: 'purge', project_id: projectId, endpoint_id: id }).catch(() => undefined);
      return { id, object: 'proxy_endpoint' as const, deleted: true };
    },
  };
}

function normaliseNames(names: string[]): string[] {
  return [...new Set(names.map((name) => name.toLowerCase()))].sort();
}
