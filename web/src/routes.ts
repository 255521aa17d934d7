import { proxyQueryOf, type ProxyQuery } from './proxy/proxy-query.ts';
import { KINDS, ledgerLimits, STATUSES, type LedgerKind, type ReplayStatus } from './types.ts';

/** Page sizes the table offers, up to the most the API serves per page. */
export const PAGE_SIZES = [10, 25, 50, 100, ledgerLimits.maxPageSize] as const;
export const DEFAULT_PAGE_SIZE = ledgerLimits.defaultPageSize;
/** Windows the chart offers, in UTC days, up to the most the API serves. */
export const CHART_DAYS = [7, ledgerLimits.defaultDailyDays, ledgerLimits.maxDailyDays] as const;
export const DEFAULT_CHART_DAYS = ledgerLimits.defaultDailyDays;

/** What the hub shows; it lives in the query string, so a filtered view can be bookmarked and shared. */
export interface HubQuery {
  kind?: LedgerKind | undefined;
  status?: ReplayStatus | undefined;
  deployment?: string | undefined;
  limit: number;
  days: number;
}

/** What the Reproducibility page shows; all of it in the query string (`/reproducibility?sessionId=…&agentId=…`). */
export interface ReproducibilityQuery {
  sessionId?: string | undefined;
  agentId?: string | undefined;
  runId?: string | undefined;
}

export type View =
  | { name: 'hub'; query: HubQuery }
  | { name: 'run'; runId: string }
  | { name: 'reproducibility'; query: ReproducibilityQuery }
  | { name: 'proxy'; query: ProxyQuery }
  | { name: 'not-found' };

const HUB_PATH = /^\/replay\/?$/;
const RUN_PATH = /^\/replay\/runs\/([^/]+)\/?$/;
const REPRODUCIBILITY_PATH = /^\/reproducibility\/?$/;
/** Exactly /proxy: below it are the recording proxy's paths, so the page's state is in its query. */
const PROXY_PATH = /^\/proxy\/?$/;

/** The view a location shows; values out of range in the query fall back to defaults. */
export function viewOf(pathname: string, search: string): View {
  if (HUB_PATH.test(pathname)) return { name: 'hub', query: hubQueryOf(new URLSearchParams(search)) };
  if (PROXY_PATH.test(pathname)) return { name: 'proxy', query: proxyQueryOf(search) };
  if (REPRODUCIBILITY_PATH.test(pathname)) {
    const params = new URLSearchParams(search);
    const value = (name: string) => params.get(name)?.trim().slice(0, 128) || undefined;
    return { name: 'reproducibility', query: { sessionId: value('sessionId'), agentId: value('agentId'), runId: value('runId') } };
  }
  const run = RUN_PATH.exec(pathname);
  if (run) {
    try {
      return { name: 'run', runId: decodeURIComponent(run[1]!) };
    } catch {
      return { name: 'not-found' };
    }
  }
  return { name: 'not-found' };
}

function hubQueryOf(params: URLSearchParams): HubQuery {
  const status = params.get('status');
  const kind = params.get('kind');
  const deployment = params.get('deployment')?.trim();
  const limit = Number(params.get('limit'));
  const days = Number(params.get('days'));
  return {
    ...(KINDS.includes(kind as LedgerKind) ? { kind: kind as LedgerKind } : {}),
    ...(STATUSES.includes(status as ReplayStatus) ? { status: status as ReplayStatus } : {}),
    ...(deployment ? { deployment: deployment.slice(0, ledgerLimits.maxTextChars) } : {}),
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : DEFAULT_PAGE_SIZE,
    days: (CHART_DAYS as readonly number[]).includes(days) ? days : DEFAULT_CHART_DAYS,
  };
}

/** The hub's URL for a query, leaving defaults out. */
export function hubHref(query: HubQuery): string {
  const params = new URLSearchParams();
  if (query.kind) params.set('kind', query.kind);
  if (query.status) params.set('status', query.status);
  if (query.deployment) params.set('deployment', query.deployment);
  if (query.limit !== DEFAULT_PAGE_SIZE) params.set('limit', String(query.limit));
  if (query.days !== DEFAULT_CHART_DAYS) params.set('days', String(query.days));
  const search = params.toString();
  return search ? `/replay?${search}` : '/replay';
}

/** The run page of a run id. */
export function runHref(runId: string): string {
  return `/replay/runs/${encodeURIComponent(runId)}`;
}

/** The Reproducibility page for a session (and agent, and run). */
export function reproducibilityHref(query: ReproducibilityQuery): string {
  const params = new URLSearchParams();
  if (query.sessionId) params.set('sessionId', query.sessionId);
  if (query.agentId) params.set('agentId', query.agentId);
  if (query.runId) params.set('runId', query.runId);
  const search = params.toString();
  return search ? `/reproducibility?${search}` : '/reproducibility';
}
