import { ApiError } from '../api-client.ts';
import { h, replace } from '../dom.ts';
import type { ViewContext } from '../view-context.ts';
import { copyButton, pageHeading } from '../widgets.ts';
import type { ProxyApi } from './proxy-api.ts';
import { PROXY_PATH, proxyHref, type ProxyQuery, type ProxyTab } from './proxy-query.ts';
import { recordingBadge, showApiError } from './proxy-widgets.ts';
import { showRecordingsTab } from './recordings-tab.ts';
import { showSettingsTab } from './settings-tab.ts';
import type { ProxyEndpoint } from './types.ts';

const TAB_LABELS: Record<ProxyTab, string> = { recordings: 'Recordings', settings: 'Settings' };

/** One endpoint: its proxy URL to copy, its upstream, and the Recordings and Settings tabs. */
export function showEndpoint(ctx: ViewContext, api: ProxyApi, query: ProxyQuery & { endpoint: string }): void {
  ctx.title('Proxy endpoint');
  const heading = pageHeading('Proxy endpoint');
  const badge = h('span', { class: 'header-badge' });
  const facts = h('div', { class: 'endpoint-facts' }, h('p', { class: 'muted' }, 'Loading the endpoint…'));
  const problems = h('div', { class: 'problems' });
  const tabs = h(
    'nav',
    { class: 'tabs', 'aria-label': 'Endpoint' },
    ...(Object.keys(TAB_LABELS) as ProxyTab[]).map((tab) =>
      h('a', { class: 'tab', href: proxyHref({ endpoint: query.endpoint, tab }), 'aria-current': tab === query.tab ? 'page' : undefined, 'data-tab': tab }, TAB_LABELS[tab]),
    ),
  );
  const body = h('div', { class: 'tab-body' });

  replace(
    ctx.main,
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: PROXY_PATH }, '← Proxy endpoints')),
    h('div', { class: 'page-header' }, h('div', { class: 'title-line' }, heading, badge)),
    facts,
    problems,
    tabs,
    body,
  );
  void load();

  async function load(): Promise<void> {
    try {
      const endpoint = await api.getEndpoint(query.endpoint);
      show(endpoint);
      if (query.tab === 'settings') showSettingsTab(ctx, api, body, endpoint, { changed: show });
      else showRecordingsTab(ctx, api, body, endpoint, query);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return notFound();
      replace(facts);
      showApiError(ctx, problems, error, { retry: () => void load() });
    }
  }

  /** The header and the facts: drawn on load and again after the settings change. */
  function show(endpoint: ProxyEndpoint): void {
    heading.textContent = endpoint.name;
    ctx.title(`${endpoint.name} · Proxy`);
    replace(badge, recordingBadge(endpoint.recording));
    replace(facts, endpointFacts(ctx, endpoint));
  }

  function notFound(): void {
    heading.textContent = 'Endpoint not found';
    tabs.remove();
    replace(facts);
    replace(
      body,
      h(
        'div',
        { class: 'panel panel--notice', role: 'status' },
        h('p', {}, 'This project has no proxy endpoint ', h('code', {}, query.endpoint), ': it was deleted, or belongs to another project.'),
        h('p', {}, h('a', { href: PROXY_PATH }, 'See all endpoints')),
      ),
    );
  }
}

/** The proxy URL with its copy button, and where its traffic goes. */
function endpointFacts(ctx: ViewContext, endpoint: ProxyEndpoint): HTMLElement {
  const url = h('code', { id: 'proxy-url', class: 'proxy-url' }, endpoint.proxy_url);
  return h(
    'section',
    { class: 'panel proxy-url-panel', 'aria-labelledby': 'proxy-url-title' },
    h('h2', { id: 'proxy-url-title' }, 'Proxy URL'),
    h('p', { class: 'muted' }, 'Send your client here instead of to the upstream: the path after this URL, the query, headers and body go on to the upstream.'),
    h('div', { class: 'copy-line' }, url, copyButton(ctx, () => endpoint.proxy_url, url, 'Copy proxy URL', 'The proxy URL was copied.')),
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, 'Upstream URL'), h('dd', { id: 'upstream-url', class: 'url' }, endpoint.upstream_url)),
      h('div', {}, h('dt', {}, 'Session header'), h('dd', {}, h('code', {}, endpoint.session_header))),
    ),
  );
}
