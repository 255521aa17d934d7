/**
 * Where the Proxy page is, in its query string: paths below `/proxy/` belong
 * to the recording proxy (`/proxy/{endpoint_token}/…`), so the page lives at
 * exactly `/proxy` and every view of it is a query (bookmarkable, shareable,
 * kept by Back and Forward).
 */

export const PROXY_PATH = '/proxy';
export const PROXY_TABS = ['recordings', 'settings'] as const;
export type ProxyTab = (typeof PROXY_TABS)[number];
/** The Recordings tab's toggle: every recording newest first, or session cards. */
export const RECORDINGS_VIEWS = ['flat', 'sessions'] as const;
export type RecordingsView = (typeof RECORDINGS_VIEWS)[number];

export interface ProxyQuery {
  /** The endpoint whose page shows; without it, the list of endpoints. */
  endpoint?: string | undefined;
  tab: ProxyTab;
  view: RecordingsView;
  /** The session card shown expanded (By Session view). */
  session?: string | undefined;
  /** The replay of that session whose results the dialog shows. */
  replay?: string | undefined;
}

export const DEFAULT_PROXY_QUERY: ProxyQuery = { tab: 'recordings', view: 'flat' };

/** Ids the API hands out fit one path segment of at most 64 characters; anything else is no id. */
function idOf(value: string | null): string | undefined {
  return value && value.length <= 64 && !/[\s\u0000-\u001f\u007f/]/.test(value) ? value : undefined;
}

/** The state of a `/proxy` location; what does not fit (a session without an endpoint, a tab it lacks) falls back to defaults. */
export function proxyQueryOf(search: string): ProxyQuery {
  const params = new URLSearchParams(search);
  const endpoint = idOf(params.get('endpoint'));
  if (!endpoint) return { ...DEFAULT_PROXY_QUERY };
  const tab = (PROXY_TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as ProxyTab) : 'recordings';
  const view = (RECORDINGS_VIEWS as readonly string[]).includes(params.get('view') ?? '') ? (params.get('view') as RecordingsView) : 'flat';
  const session = tab === 'recordings' && view === 'sessions' ? idOf(params.get('session')) : undefined;
  const replay = session ? idOf(params.get('replay')) : undefined;
  return { endpoint, tab, view, ...(session ? { session } : {}), ...(replay ? { replay } : {}) };
}

/** The page's URL for a state, leaving defaults and what the state cannot hold out. */
export function proxyHref(query: Partial<ProxyQuery>): string {
  const params = new URLSearchParams();
  if (query.endpoint) {
    params.set('endpoint', query.endpoint);
    const tab = query.tab ?? 'recordings';
    const view = query.view ?? 'flat';
    if (tab !== 'recordings') params.set('tab', tab);
    else if (view !== 'flat') params.set('view', view);
    if (tab === 'recordings' && view === 'sessions' && query.session) {
      params.set('session', query.session);
      if (query.replay) params.set('replay', query.replay);
    }
  }
  const search = params.toString();
  return search ? `${PROXY_PATH}?${search}` : PROXY_PATH;
}
